"""Freshness nudges: stale cooperatives get one reminder a month, and admins see who."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from procrastinate import PsycopgConnector
from sqlalchemy import func, select, update

import saas.jobs
from saas.dashboard.models import Nudge, TenantSummary
from saas.dashboard.nudges import send_freshness_nudges
from saas.onboarding.models import Registration, RegistrationStatus
from saas.tenants.models import Tenant
from tests.factories import login, text

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def stale_alpha(db, tenants):
    """Tenant A, registered long ago by Ana, whose page last changed long ago."""
    with db.platform_session() as session:
        session.execute(
            update(Tenant).where(Tenant.id == tenants.a.tenant.id).values(created_at=LONG_AGO)
        )
        session.add(
            Registration(
                tenant_id=tenants.a.tenant.id,
                status=RegistrationStatus.FINISHED,
                step=3,
                officer_name="Ana Alpha",
                officer_email="ana@kopalpha.id",
            )
        )
        session.add(TenantSummary(tenant_id=tenants.a.tenant.id, content_updated_at=LONG_AGO))
        session.commit()
    return tenants.a


def run(app, db):
    with app.app_context(), db.platform_session() as session:
        return send_freshness_nudges(
            session,
            app.extensions["guyub.mailer"],
            lambda slug: f"http://{slug}.localhost/kelola/kelengkapan",
        )


def nudge_count(db):
    with db.platform_session() as session:
        return session.scalar(select(func.count()).select_from(Nudge))


def test_a_stale_cooperative_gets_one_reminder_with_a_link_to_its_editor(
    app, db, stale_alpha, outbox
):
    assert run(app, db) == 1
    assert outbox[0]["to"] == ["ana@kopalpha.id"]
    assert "http://alpha.localhost/kelola/kelengkapan" in str(outbox[0]["data"])
    assert run(app, db) == 0  # not again within the month
    assert nudge_count(db) == 1


def test_a_fresh_cooperative_is_left_alone(app, db, stale_alpha, outbox):
    with db.platform_session() as session:
        session.execute(
            update(TenantSummary).values(content_updated_at=datetime.now(UTC) - timedelta(days=3))
        )
        session.commit()
    assert run(app, db) == 0
    assert outbox == []


def test_admins_see_who_was_nudged(app, db, stale_alpha, platform):
    run(app, db)
    login(platform, "admin@kode.id")
    page = text(platform.get("/admin/pengingat"))
    assert "Koperasi Desa Merah Putih Alpha" in page
    assert "ana@kopalpha.id" in page


def test_the_job_worker_runs_a_deferred_job_against_postgresql(app, shard_urls, monkeypatch):
    """The real queue: defer into procrastinate's tables, run a worker until the queue is empty."""
    monkeypatch.setattr(saas.jobs, "flask_app", lambda: app)
    connector = PsycopgConnector(conninfo=shard_urls["main"])
    with saas.jobs.jobs.replace_connector(connector) as queue:
        with queue.open():
            job_id = queue.configure_task("saas.jobs.refill_schema_pools").defer(timestamp=0)
        # Its own thread: the worker runs its own event loop (Playwright may hold this thread's).
        worker = threading.Thread(
            target=queue.run_worker,
            kwargs={"wait": False, "queues": ["maintenance"], "install_signal_handlers": False},
        )
        worker.start()
        worker.join(timeout=60)
    with psycopg.connect(shard_urls["main"]) as connection:
        status = connection.execute(
            "SELECT status FROM procrastinate_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    assert status == ("succeeded",)
