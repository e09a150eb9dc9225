"""Holding a cooperative against a move between shards: the jobs that open it and the requests
that write to it.

A move copies the cooperative while its source stays readable, so nothing may write to the
source once the copy has begun. Whatever writes takes a shared advisory lock on the cooperative
(``hold_against_move``) in a platform transaction held until its own transaction in the schema
has ended, and reads the registry's mark after taking it; a move marks the cooperative only under
the same lock taken exclusively (``hold_for_move``), so it waits for the writers already at work,
whose writes are then in the copy, and every later one finds the mark:

- a job (``open_tenant_for_job``) raises ``MoveInProgress``, which its retry strategy
  (``WAIT_WHILE_MOVING``) answers by running it again later; it opens the cooperative by id, never
  by a shard or schema it kept, so it runs on the shard the registry names by then;
- a request that writes is answered with a 503 page (``saas.tenants.resolution``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from procrastinate import RetryStrategy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saas.db import Databases
from saas.tenants.models import Tenant

# The advisory lock's first key names this lock among the two-key advisory locks; the second is
# the cooperative's id.
MOVE_LOCK_CLASS = 0x67750003


class MoveInProgress(RuntimeError):
    """The cooperative is being moved to another shard: the job runs again once it has moved."""


# Every job that opens a cooperative retries on ``MoveInProgress`` only, every 30 seconds for as
# long as the move lasts (a failed move lifts the mark too); any other error fails the job.
WAIT_WHILE_MOVING = RetryStrategy(wait=30, retry_exceptions={MoveInProgress})


def hold_for_move(session: Session, tenant_id: int) -> None:
    """Wait for the writers at work in the cooperative and keep new ones out until
    ``session``'s transaction ends (a move marks the cooperative under this hold)."""
    session.execute(select(func.pg_advisory_xact_lock(MOVE_LOCK_CLASS, tenant_id)))


def hold_against_move(session: Session, tenant_id: int) -> bool:
    """Keep the cooperative from starting to move until ``session``'s transaction ends; whether
    it is moving already (read under the hold)."""
    session.execute(select(func.pg_advisory_xact_lock_shared(MOVE_LOCK_CLASS, tenant_id)))
    moving_to = session.scalar(select(Tenant.moving_to).where(Tenant.id == tenant_id))
    return moving_to is not None


@contextmanager
def open_tenant_for_job(
    databases: Databases, tenant_id: int
) -> Iterator[tuple[Tenant, Session] | None]:
    """The cooperative as the registry names it now and a session in its schema, kept from
    moving until the block ends; None for a cooperative without a schema (gone or failed).

    Raises ``MoveInProgress`` while the cooperative moves.
    """
    with databases.platform_session() as platform:
        if hold_against_move(platform, tenant_id):
            raise MoveInProgress(f"cooperative {tenant_id} is moving to another shard")
        tenant = platform.get(Tenant, tenant_id)
        if tenant is None or tenant.schema_name is None:
            yield None
            return
        with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
            yield tenant, session
        # The platform transaction ends (and the hold with it) only after the job's own
        # transaction in the schema has committed or rolled back.
