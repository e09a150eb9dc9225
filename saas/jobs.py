"""Background jobs (procrastinate, on PostgreSQL): no extra broker, every job names its tenant.

A job opens its cooperative by id through ``saas.tenants.move_holds.open_tenant_for_job``, never
by a shard or schema it was given: one that finds its cooperative moving between shards runs
again later (``retry=WAIT_WHILE_MOVING``), on the shard the registry names by then.

`make run` starts a worker beside the web server: `procrastinate --app=saas.jobs.jobs worker`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from functools import cache

from flask import Flask
from procrastinate import App, PsycopgConnector

from saas import clock
from saas.db import sqlalchemy_url
from saas.tenants.move_holds import WAIT_WHILE_MOVING


def _conninfo() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return sqlalchemy_url(url).replace("postgresql+psycopg://", "postgresql://", 1) if url else ""


jobs = App(connector=PsycopgConnector(conninfo=_conninfo()), import_paths=["saas.jobs"])


@cache
def _default_app() -> Flask:
    from saas import create_app  # noqa: PLC0415 - the worker builds the app once, lazily

    return create_app()


# Tests point this at their own app; the worker uses the app built from the environment.
flask_app: Callable[[], Flask] = _default_app


@jobs.periodic(cron="0 8 * * *")
@jobs.task(queue="nudges", queueing_lock="nudges")
def send_freshness_nudges(timestamp: int) -> int:
    """Every morning (08:00 UTC, 15:00 WIB): remind cooperatives whose page went stale."""
    from saas.blueprints.links import tenant_base_url_for  # noqa: PLC0415
    from saas.dashboard import nudges  # noqa: PLC0415
    from saas.db import get_databases  # noqa: PLC0415

    app = flask_app()
    with app.app_context(), get_databases().platform_session() as session:
        settings = app.extensions["guyub.settings"]
        return nudges.send_freshness_nudges(
            session,
            app.extensions["guyub.mailer"],
            lambda slug: tenant_base_url_for(settings, slug) + "/kelola/kelengkapan",
        )


@jobs.periodic(cron="*/5 * * * *")
@jobs.task(queue="maintenance", queueing_lock="pool")
def refill_schema_pools(timestamp: int) -> int:
    """Every five minutes: keep each shard's pool of ready tenant schemas full."""
    from saas.db import get_databases  # noqa: PLC0415
    from saas.tenants.provisioning import refill_pool  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        databases = get_databases()
        base = app.extensions["guyub.settings"].schema_pool_target
        return sum(refill_pool(databases, shard, base) for shard in databases.shard_names)


@jobs.task(queue="maintenance")
def refill_schema_pool(shard: str) -> int:
    """Right after a sign-up claimed a ready schema: top that shard's pool up again."""
    from saas.db import get_databases  # noqa: PLC0415
    from saas.tenants.provisioning import refill_pool  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        base = app.extensions["guyub.settings"].schema_pool_target
        return refill_pool(get_databases(), shard, base, after_claim=True)


@jobs.periodic(cron="5 * * * *")
@jobs.task(queue="maintenance", queueing_lock="days")
def begin_cooperatives_days(timestamp: int) -> int:
    """Every hour: the cooperatives whose own day has just begun (00:xx in WIB, WITA or WIT) get
    their ended months counted and their loans assessed for the new day (``saas.daily``); how
    many loans were assessed."""
    from saas.daily import begin_days  # noqa: PLC0415
    from saas.db import get_databases  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        return begin_days(get_databases(), clock.now())


@jobs.task(queue="maintenance", retry=WAIT_WHILE_MOVING)
def begin_cooperative_day(tenant_id: int, on: str) -> int:
    """The day of one cooperative that was moving when it began (``on``, ISO), begun once it
    has moved; how many loans were assessed."""
    from saas.daily import begin_day  # noqa: PLC0415
    from saas.db import get_databases  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        return begin_day(get_databases(), tenant_id, date.fromisoformat(on))


@jobs.task(queue="imports", retry=WAIT_WHILE_MOVING)
def import_members_file(tenant_id: int, upload_key: str, mapping: dict[str, int | None]) -> int:
    """A large member list an officer confirmed: all its valid rows in one transaction; how many."""
    from saas.db import get_databases  # noqa: PLC0415
    from saas.members.import_job import run_import  # noqa: PLC0415
    from saas.tenants.move_holds import open_tenant_for_job  # noqa: PLC0415

    app = flask_app()
    with app.app_context(), open_tenant_for_job(get_databases(), tenant_id) as opened:
        assert opened is not None, "a cooperative with an import has a schema"
        tenant, session = opened
        return run_import(
            session,
            app.extensions["guyub.storage"],
            upload_key,
            mapping,
            clock.today_for(tenant),
        )


@jobs.task(queue="mail", retry=WAIT_WHILE_MOVING)
def send_password_reset(tenant_id: int | None, email: str, locale: str) -> bool:
    """A reset link for the account with this email, if there is one, in the asker's language."""
    from flask_babel import force_locale  # noqa: PLC0415

    from saas.blueprints.auth.reset_mail import send_reset_link  # noqa: PLC0415

    app = flask_app()
    with app.app_context(), force_locale(locale):
        return send_reset_link(tenant_id, email)


@jobs.task(queue="mail", retry=WAIT_WHILE_MOVING)
def send_grace_notice(tenant_id: int) -> int:
    """A failed payment started the grace period: tell the cooperative's chair and treasurer."""
    from saas.billing.notices import send_grace_notice as send  # noqa: PLC0415
    from saas.blueprints.links import tenant_base_url_for  # noqa: PLC0415
    from saas.db import get_databases  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        settings = app.extensions["guyub.settings"]
        return send(
            get_databases(),
            tenant_id,
            lambda slug: tenant_base_url_for(settings, slug) + "/kelola/langganan",
        )


@jobs.periodic(cron="20 * * * *")
@jobs.task(queue="mail", queueing_lock="grace_reminders")
def send_grace_reminders(timestamp: int) -> int:
    """Every hour: the reminder on a grace period's last day (in the cooperative's zone) and the
    notice when the paid plan's extras pause, each sent once; how many cooperatives were told."""
    from saas.billing.notices import send_grace_reminders as send  # noqa: PLC0415
    from saas.blueprints.links import tenant_base_url_for  # noqa: PLC0415
    from saas.db import get_databases  # noqa: PLC0415

    app = flask_app()
    with app.app_context():
        settings = app.extensions["guyub.settings"]
        return send(
            get_databases(),
            clock.now(),
            lambda slug: tenant_base_url_for(settings, slug) + "/kelola/langganan",
        )
