"""`make run`: database, migrations, demo data, then gunicorn, and where to click.

With no DATABASE_URL, a private PostgreSQL (pgserver) runs with its data in ``instance/pgdata``
for as long as this process does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from flask import Flask

from saas.config import INSTANCE_DIR, PROJECT_ROOT, load_settings
from saas.db import Databases
from saas.embedded_pg import database_url, ensure_database, start_embedded_server

DEV_DATABASE = "guyub"


def prepare_database() -> object | None:
    """Set DATABASE_URL (starting the embedded server if needed); return the server handle."""
    if os.environ.get("DATABASE_URL"):
        return None
    server = start_embedded_server(INSTANCE_DIR / "pgdata")
    ensure_database(database_url(server, "postgres"), DEV_DATABASE)
    os.environ["DATABASE_URL"] = database_url(server, DEV_DATABASE)
    return server


def prepare_stripe(port: str) -> subprocess.Popen[bytes] | None:
    """With no Stripe keys, start localstripe and point billing at it (test mode); its
    webhooks come back to this server's platform host, signed with the test secret."""
    if os.environ.get("STRIPE_API_KEY"):
        return None
    from saas.billing.local_stripe import (
        API_KEY,
        WEBHOOK_SECRET,
        register_webhook,
        start_localstripe,
    )

    process, api_base = start_localstripe()
    os.environ.update(
        STRIPE_API_KEY=API_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=api_base
    )
    platform = f"http://{os.environ['BASE_DOMAIN']}:{port}"
    register_webhook(api_base, f"{platform}/stripe/webhook", WEBHOOK_SECRET)
    return process


def sync_stripe_prices(databases: Databases, app: Flask) -> list[str]:
    """Give every plan price its Stripe price now, so the first upgrade waits for nothing."""
    from saas.billing.operations import sync_prices

    gateway = app.extensions.get("guyub.billing")
    if gateway is None:
        return ["billing is off (no Stripe keys)"]
    with databases.platform_session() as session:
        made = sync_prices(session, gateway)
        session.commit()
    mode = "localstripe, test mode" if gateway.local else "Stripe"
    return [f"billing through {mode}: {made} prices created"]


def prepare_app(password: str) -> list[str]:
    from saas import create_app
    from saas.db import get_databases
    from saas.platform_migrations import upgrade_platform
    from saas.regions.loader import count_regions, load_regions
    from saas.seed import seed_demo
    from saas.tenants.migrations import migrate_tenants
    from saas.tenants.provisioning import fill_schema_pool

    settings = load_settings()
    app = create_app(settings)
    with app.app_context():
        databases = get_databases()
        upgrade_platform(databases)
        report = migrate_tenants(databases, settings, jobs=1)
        lines = [f"tenant schemas: {len(report.migrated)} migrated, {len(report.failed)} failed"]
        with databases.platform_engine.begin() as connection:
            if count_regions(connection) == 0:
                lines.append(f"loaded {load_regions(connection)} regions")
        lines += list(seed_demo(databases, settings, password))
        lines += sync_stripe_prices(databases, app)
        for shard in databases.shard_names:
            fill_schema_pool(databases, shard, settings.schema_pool_target)
        databases.dispose()
    return lines


def banner(port: str, password: str, base_domain: str) -> str:
    platform = f"http://{base_domain}:{port}"
    demo = f"http://demo.{base_domain}:{port}"
    return f"""
  Guyub is running.

  Demo cooperative   {demo}
      Chair (ketua)      ketua@sukamaju.id       / {password}
      Treasurer          bendahara@sukamaju.id   / {password}
      Supervisor         pengawas@sukamaju.id    / {password}
      Member             anggota@sukamaju.id     / {password}  (or phone 081234567890)
  Register a new cooperative
                     {platform}/daftar
  Directory and dashboard
                     {platform}/direktori   {platform}/dasbor
  Platform (KODE Indonesia admin)
                     {platform}/admin       (verification queue: {platform}/admin/verifikasi)
      Admin              admin@guyub.id          / {password}
  Development outbox {platform}/dev/outbox   (emails are kept here, not sent)
  Plan and billing   {demo}/kelola/langganan   (ketua or bendahara; test mode with no Stripe keys)
  Health             {platform}/healthz
  Background jobs    a procrastinate worker runs beside the web server (nudges, schema pool)

  Stop with Ctrl-C.
"""


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # stop gunicorn and the embedded PostgreSQL like Ctrl-C does


def main() -> int:
    password = os.environ.get("DEMO_PASSWORD", "guyub-demo-2025")
    port = os.environ.get("PORT", "5000")
    os.environ.setdefault("BASE_DOMAIN", "localhost")
    server = prepare_database()
    stripe_server = prepare_stripe(port)
    for line in prepare_app(password):
        print(f"  {line}", file=sys.stderr)
    bin_dir = Path(sys.executable).parent
    # A cooperative's own address is checked against this machine's server: no DNS here.
    env = {
        **os.environ,
        "PORT": port,
        "PUBLIC_PORT": port,
        "DOMAIN_CHECK_ADDRESS": os.environ.get("DOMAIN_CHECK_ADDRESS", f"127.0.0.1:{port}"),
    }
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [str(bin_dir / "procrastinate"), "--app=saas.jobs.jobs", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
    )
    print(banner(port, password, os.environ["BASE_DOMAIN"]), flush=True)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return web.wait()
    except KeyboardInterrupt:
        for process in (web, worker):
            process.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        return web.wait()
    finally:
        if stripe_server is not None:
            stripe_server.terminate()
            stripe_server.wait(timeout=10)
        del server  # the embedded PostgreSQL stops with this process


if __name__ == "__main__":
    sys.exit(main())
