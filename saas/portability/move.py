"""Moving a cooperative to another shard while its site stays up.

1. ``begin_move``: once the writes under way in the cooperative (requests and jobs) have ended,
   the registry marks it moving (``tenants.moving_to``): its host keeps serving reads from the
   source, and answers writes with a 503 page until the move ends; its jobs wait and run again
   later (``saas.tenants.move_holds``), on the shard the registry names by then.
2. ``copy_to_shard``: the cooperative is exported and restored on the target shard under the same
   schema name (its files' keys stay valid), every table verified against the archive, and its
   trial balance read on both sides must be equal.
3. ``switch_shard``: one platform transaction points the registry at the target, moves the
   shards' counters and lifts the read-only mark: from the next request on, the target serves.
4. ``drop_source``: the source schema is dropped.

A failure before the switch drops what was copied and lifts the mark (``abort_move``): the
cooperative stays where it was. Like provisioning's, each step commits as its durability
boundary, since the registry and the two shards are three databases.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from saas import clock
from saas.db import Databases
from saas.ledger.queries import trial_balance
from saas.portability.export import export_tenant
from saas.portability.restore import load_archive, open_archive
from saas.storage import Storage
from saas.tenants import schemas
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.move_holds import hold_for_move
from saas.tenants.operations import get_tenant_by_slug
from saas.tenants.provisioning import count_tenant_on_shard, ensure_shard_rows

log = logging.getLogger(__name__)


class MoveError(RuntimeError):
    """The move cannot start or did not verify; the cooperative stays where it was."""


class SchemaTaken(MoveError):
    """The target shard holds a schema of that name already: it is left alone."""


def begin_move(databases: Databases, slug: str, target: str) -> Tenant:
    """Mark the cooperative moving to ``target`` (read-only from now on); the tenant."""
    if target not in databases.shard_names:
        raise MoveError(f"unknown shard {target!r}")
    with databases.platform_session() as session:
        tenant = get_tenant_by_slug(session, slug)
        hold_for_move(session, tenant.id)  # the writes under way there end first
        session.refresh(tenant)
        if tenant.status != TenantStatus.ACTIVE:
            raise MoveError(f"only an active cooperative moves (it is {tenant.status})")
        if tenant.moving_to is not None:
            raise MoveError(f"{slug} is already moving to {tenant.moving_to}")
        if tenant.shard == target:
            raise MoveError(f"{slug} is on {target} already")
        assert tenant.schema_name is not None
        with databases.shard_transaction(target) as connection:
            if schemas.schema_exists(connection, tenant.schema_name):
                raise SchemaTaken(f"shard {target} holds a schema {tenant.schema_name} already")
        tenant.moving_to = target
        session.commit()  # a step's durability boundary: writes and jobs wait from here on
    return tenant


def books_fingerprint(databases: Databases, shard: str, schema: str, on: date) -> list[Any]:
    """The trial balance on ``on`` as plain values: each account's code, debits and credits."""
    with databases.tenant_session(shard, schema) as session:
        rows = trial_balance(session, on)
        return [(row.account.code, row.debit, row.credit, row.balance) for row in rows]


def copy_to_shard(databases: Databases, storage: Storage, tenant: Tenant) -> None:
    """Copy the cooperative into its target shard under the same schema name, verified."""
    target, schema = tenant.moving_to, tenant.schema_name
    if target is None or schema is None:
        raise MoveError(f"{tenant.slug} is not moving")
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as spool:
        export_tenant(databases, storage, tenant, spool, exported_at=datetime.now(UTC))
        spool.seek(0)
        archive = open_archive(spool)
        with databases.shard_transaction(target) as connection:
            if schemas.schema_exists(connection, schema):
                raise SchemaTaken(f"shard {target} holds a schema {schema} already")
            load_archive(connection, archive, schema)
    on = clock.today_for(tenant)
    if books_fingerprint(databases, target, schema, on) != books_fingerprint(
        databases, tenant.shard, schema, on
    ):
        drop_copy(databases, tenant)
        raise MoveError(f"the books of {tenant.slug} on {target} differ from the source's")


def switch_shard(databases: Databases, tenant: Tenant) -> str:
    """Point the registry at the target shard and lift the read-only mark, in one platform
    transaction; the source shard's name."""
    source, target = tenant.shard, tenant.moving_to
    if target is None:
        raise MoveError(f"{tenant.slug} is not moving")
    with databases.platform_session() as session:
        ensure_shard_rows(session, [source, target])
        moved = session.execute(
            update(Tenant)
            .where(Tenant.id == tenant.id, Tenant.shard == source, Tenant.moving_to == target)
            .values(shard=target, moving_to=None, updated_at=datetime.now(UTC))
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise MoveError(f"{tenant.slug} changed while it moved")
        count_tenant_on_shard(session, source, -1)
        count_tenant_on_shard(session, target, +1)
        session.commit()  # a step's durability boundary: the target serves from now on
    tenant.shard, tenant.moving_to = target, None
    return source


def drop_source(databases: Databases, shard: str, schema: str) -> None:
    """Drop the schema the cooperative left behind on ``shard``."""
    with databases.shard_transaction(shard) as connection:
        schemas.drop_schema(connection, schema)


def drop_copy(databases: Databases, tenant: Tenant) -> None:
    """Drop a copy made on the target shard that will not be switched to."""
    if tenant.moving_to is not None and tenant.schema_name is not None:
        drop_source(databases, tenant.moving_to, tenant.schema_name)


def abort_move(databases: Databases, tenant: Tenant, *, copied: bool = True) -> None:
    """Undo a move that did not switch: the copy (if made) is dropped and writes are accepted
    again."""
    if copied:
        drop_copy(databases, tenant)
    with databases.platform_session() as session:
        lift_mark(session, tenant)
        session.commit()  # a step's durability boundary: the cooperative takes writes again
    tenant.moving_to = None


def lift_mark(session: Session, tenant: Tenant) -> None:
    session.execute(update(Tenant).where(Tenant.id == tenant.id).values(moving_to=None))


def abort_stopped_move(databases: Databases, slug: str) -> str:
    """Undo a move whose process stopped before it switched (killed, the machine down): drop
    whatever it copied to the target and take writes again; the shard it was moving to. A move
    still at work that meets this fails at its switch, which names the mark it set."""
    with databases.platform_session() as session:
        tenant = get_tenant_by_slug(session, slug)
        if tenant.moving_to is None:
            raise MoveError(f"{slug} is not moving")
        target = tenant.moving_to
        session.expunge(tenant)
    abort_move(databases, tenant)
    log.warning("move aborted", extra={"tenant_id": tenant.id, "shard": target})
    return target


def move_tenant(databases: Databases, storage: Storage, slug: str, target: str) -> Tenant:
    """Every step of a move; the tenant on its new shard."""
    tenant = begin_move(databases, slug, target)
    try:
        copy_to_shard(databases, storage, tenant)
        source = switch_shard(databases, tenant)
    except Exception as exc:
        log.exception("move failed", extra={"tenant_id": tenant.id, "shard": target})
        abort_move(databases, tenant, copied=not isinstance(exc, SchemaTaken))
        raise
    assert tenant.schema_name is not None
    drop_source(databases, source, tenant.schema_name)
    log.info("tenant moved", extra={"tenant_id": tenant.id, "from": source, "shard": target})
    return tenant
