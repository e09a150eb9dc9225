"""How a background job opens a cooperative's schema: held against a move, on the shard the
registry names at that moment.

A job may have been queued long before it runs, and a cooperative may move to another shard in
between, or be moving while the job runs. So a job never keeps a shard or a schema name: it opens
the cooperative by id through ``open_tenant_for_job``, which

- takes a shared advisory lock on the cooperative in a platform transaction held until the job's
  block ends; a move marks the cooperative only under the same lock taken exclusively
  (``hold_against_jobs``), so it waits for the jobs already at work there, whose writes are then
  in the copy;
- reads the registry after the lock: a cooperative marked moving raises ``MoveInProgress``, which
  the job's retry strategy (``WAIT_WHILE_MOVING``) answers by running the job again later, on the
  shard the registry names by then.
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


def hold_against_jobs(session: Session, tenant_id: int) -> None:
    """Wait for the jobs at work in the cooperative and keep new ones out until ``session``'s
    transaction ends (a move marks the cooperative under this hold)."""
    session.execute(select(func.pg_advisory_xact_lock(MOVE_LOCK_CLASS, tenant_id)))


def _share_with_jobs(session: Session, tenant_id: int) -> None:
    session.execute(select(func.pg_advisory_xact_lock_shared(MOVE_LOCK_CLASS, tenant_id)))


@contextmanager
def open_tenant_for_job(
    databases: Databases, tenant_id: int
) -> Iterator[tuple[Tenant, Session] | None]:
    """The cooperative as the registry names it now and a session in its schema, kept from
    moving until the block ends; None for a cooperative without a schema (gone or failed).

    Raises ``MoveInProgress`` while the cooperative moves.
    """
    with databases.platform_session() as platform:
        _share_with_jobs(platform, tenant_id)
        tenant = platform.get(Tenant, tenant_id)
        if tenant is None or tenant.schema_name is None:
            yield None
            return
        if tenant.moving_to is not None:
            raise MoveInProgress(f"{tenant.slug} is moving to {tenant.moving_to}")
        with databases.tenant_session(tenant.shard, tenant.schema_name) as session:
            yield tenant, session
        # The platform transaction ends (and the hold with it) only after the job's own
        # transaction in the schema has committed or rolled back.
