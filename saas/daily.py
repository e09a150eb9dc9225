"""A cooperative's day begins: what is done once a day for each, within the hour after midnight
in its own zone (WIB, WITA or WIT), by the hourly job (``saas.jobs.begin_cooperatives_days``).

- The months that have ended are counted (``ledger.count_ended_months``): their totals per
  account, so the statements read them instead of summing the lines.
- The loans' collectibility is assessed for the new day (``collectibility.assess``).

Each is its own transaction in the cooperative's schema, so neither waits on the other's locks,
and one cooperative's failure stops no other. A cooperative that is moving between shards gets a
job of its own (``begin_cooperative_day``), which runs once it has moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from saas import clock
from saas.db import Databases
from saas.jobs import begin_cooperative_day
from saas.ledger import operations as ledger
from saas.loans import collectibility
from saas.tenants.models import Tenant, TenantStatus
from saas.tenants.move_holds import MoveInProgress, open_tenant_for_job


def starting_their_day(tenants: Iterable[Tenant], now: datetime) -> list[Tenant]:
    """The cooperatives whose own day began within the last hour (00:xx in their zone)."""
    return [t for t in tenants if now.astimezone(clock.zone_for_tenant(t)).hour == 0]


def begin_days(databases: Databases, now: datetime) -> int:
    """Begin the day of every active cooperative whose day has just begun; how many loans were
    assessed."""
    with databases.platform_session() as platform:
        live = platform.scalars(
            select(Tenant).where(
                Tenant.status == TenantStatus.ACTIVE, Tenant.schema_name.is_not(None)
            )
        ).all()
    assessed = 0
    for tenant in starting_their_day(live, now):
        day = now.astimezone(clock.zone_for_tenant(tenant)).date()
        try:
            assessed += begin_day(databases, tenant.id, day)
        except MoveInProgress:
            begin_day_after_move(databases, tenant.id, day)
    return assessed


def begin_day(databases: Databases, tenant_id: int, on: date) -> int:
    """Begin one cooperative's day ``on``, wherever it is now; how many loans were assessed.

    Raises ``MoveInProgress`` while it moves between shards.
    """
    with open_tenant_for_job(databases, tenant_id) as opened:
        if opened is None:
            return 0
        _tenant, session = opened
        # The count holds the entries' table until it commits: first, and committed at once.
        ledger.count_ended_months(session, on)
        session.commit()
        assessed = collectibility.assess(session, on)
        session.commit()
        return assessed


def begin_day_after_move(databases: Databases, tenant_id: int, on: date) -> None:
    """Queue the day of a cooperative that is moving: it begins once it has moved."""
    with databases.platform_session() as platform:
        driver = platform.connection().connection.driver_connection
        begin_cooperative_day.configure(connection=driver).defer(
            tenant_id=tenant_id, on=on.isoformat()
        )
        platform.commit()  # the job's one transaction for this cooperative
