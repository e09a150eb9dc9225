"""A grace period's later notices: a reminder on its last day in the cooperative's zone and a
notice when the paid plan's extras pause, each sent once through real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

import saas.jobs
from saas import clock
from saas.billing.models import BillingNotice, Subscription
from saas.billing.notices import notice_due
from saas.billing.rules import grace_days_left
from tests.clock import TODAY


@pytest.fixture
def run_job(app, monkeypatch):
    """The hourly job as the worker runs it, at the clock's instant."""
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    return lambda: saas.jobs.send_grace_reminders(timestamp=0)


def in_grace(db, tenant, *, until: datetime, status: str = "past_due") -> None:
    with db.platform_session() as session:
        session.execute(
            update(Subscription)
            .where(Subscription.tenant_id == tenant.id)
            .values(status=status, grace_until=until)
        )
        session.commit()


def ten_in_the_morning(tenant, days_from_today: int) -> datetime:
    """10:00 in the cooperative's zone, ``days_from_today`` after the clock's day."""
    day = TODAY + timedelta(days=days_from_today)
    return datetime.combine(day, time(10), tzinfo=clock.zone_for_tenant(tenant))


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message["to"])


def test_the_last_day_brings_one_reminder_and_the_pause_one_notice(db, tenants, run_job, outbox):
    tenant = tenants.a.tenant
    until = ten_in_the_morning(tenant, 2)
    in_grace(db, tenant, until=until)
    assert run_job() == 0  # two days left: nothing yet
    assert outbox == []
    with clock.frozen(clock.now() + timedelta(days=1)):  # the last day has begun
        assert (run_job(), run_job()) == (1, 0)
    assert recipients(outbox) == ["ana@kopalpha.id", "bambang@kopalpha.id"]
    assert "Masa tenggang" in outbox[0]["data"]  # the cooperative's language
    assert "http://alpha.localhost/kelola/langganan" in outbox[0]["data"]
    outbox.clear()
    with clock.frozen(until + timedelta(minutes=5)):
        assert (run_job(), run_job()) == (1, 0)
    assert recipients(outbox) == ["ana@kopalpha.id", "bambang@kopalpha.id"]
    assert "dijeda" in outbox[0]["data"]


def test_a_cooperative_whose_payment_went_through_is_sent_nothing(db, tenants, run_job, outbox):
    in_grace(db, tenants.a.tenant, until=ten_in_the_morning(tenants.a.tenant, 0), status="active")
    assert run_job() == 0
    assert outbox == []


def test_a_new_grace_period_brings_its_own_notices(db, tenants, run_job, outbox):
    tenant = tenants.a.tenant
    in_grace(db, tenant, until=clock.now() - timedelta(hours=1))
    assert run_job() == 1
    in_grace(db, tenant, until=clock.now() - timedelta(minutes=1))  # a later failure's grace
    assert run_job() == 1
    assert len(outbox) == 4


def test_the_database_refuses_a_notice_sent_twice(db, tenants):
    until = clock.now()
    with db.platform_session() as session:
        session.add(
            BillingNotice(tenant_id=tenants.a.tenant.id, kind="grace_ending", grace_until=until)
        )
        session.flush()
        nested = session.begin_nested()
        session.add(
            BillingNotice(tenant_id=tenants.a.tenant.id, kind="grace_ending", grace_until=until)
        )
        with pytest.raises(IntegrityError):
            session.flush()
        nested.rollback()
        nested = session.begin_nested()
        session.add(BillingNotice(tenant_id=tenants.a.tenant.id, kind="sent", grace_until=until))
        with pytest.raises(IntegrityError):
            session.flush()
        nested.rollback()


def test_the_reminder_is_due_from_the_start_of_the_last_day_in_the_cooperatives_zone(tenants):
    tenant = tenants.a.tenant
    until = ten_in_the_morning(tenant, 2)
    zone = clock.zone_for_tenant(tenant)
    last_day_starts = datetime.combine(TODAY + timedelta(days=1), time(0), tzinfo=zone)
    assert notice_due(until, last_day_starts - timedelta(minutes=1), tenant) is None
    assert notice_due(until, last_day_starts, tenant) == "grace_ending"
    assert notice_due(until, until, tenant) == "extras_paused"


def test_the_days_of_grace_left_count_a_part_of_a_day_as_one():
    end = datetime(2027, 1, 8, 10, tzinfo=UTC)
    assert grace_days_left(end, end - timedelta(days=2)) == 2
    assert grace_days_left(end, end - timedelta(days=2, hours=1)) == 3
    assert grace_days_left(end, end + timedelta(hours=1)) == 0
