"""The `flask --app wsgi tenants ...` commands."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from saas.config import PROJECT_ROOT
from saas.tenants.models import Tenant, TenantStatus
from tests.factories import csrf_token, login, text


@pytest.fixture
def cli(app, db):
    return app.test_cli_runner()


def test_create_then_list_shows_the_new_tenant(cli):
    created = cli.invoke(
        args=["tenants", "create", "sumber-rejeki", "--name", "KDMP Sumber Rejeki"]
    )
    assert created.exit_code == 0, created.output
    assert "created sumber-rejeki" in created.output
    listed = cli.invoke(args=["tenants", "list"])
    assert listed.exit_code == 0
    row = next(line for line in listed.output.splitlines() if "\tsumber-rejeki\t" in line)
    assert "\tactive\t" in row


def test_create_with_a_taken_slug_fails_with_a_message(cli):
    result = cli.invoke(args=["tenants", "create", "alpha", "--name", "Lagi"])
    assert result.exit_code != 0
    assert "is taken" in result.output


def test_create_on_a_named_shard(cli, db):
    result = cli.invoke(args=["tenants", "create", "di-s2", "--name", "S2", "--shard", "s2"])
    assert result.exit_code == 0, result.output
    with db.platform_session() as session:
        assert session.scalar(select(Tenant.shard).where(Tenant.slug == "di-s2")) == "s2"


def test_suspend_and_resume(cli, db, client_for):
    assert cli.invoke(args=["tenants", "suspend", "beta", "--reason", "audit"]).exit_code == 0
    assert client_for("beta").get("/").status_code == 403
    with db.platform_session() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == "beta")).one()
        assert tenant.status == TenantStatus.SUSPENDED
        assert tenant.suspended_reason == "audit"
    assert cli.invoke(args=["tenants", "resume", "beta"]).exit_code == 0
    assert client_for("beta").get("/").status_code == 200


def test_suspending_an_unknown_tenant_fails(cli):
    result = cli.invoke(args=["tenants", "suspend", "tidak-ada", "--reason", "x"])
    assert result.exit_code != 0


def test_fill_pool_makes_ready_schemas_on_every_shard(cli):
    result = cli.invoke(args=["tenants", "fill-pool", "--size", "1"])
    assert result.exit_code == 0, result.output
    assert "main: made 1" in result.output
    assert "s2: made 1" in result.output


def test_admin_suspends_from_the_web_with_a_reason(platform, client_for, tenants):

    login(platform, "admin@kode.id")
    token = csrf_token(platform, "/admin/")
    tenant_id = tenants.b.tenant.id
    refused = platform.post(f"/admin/koperasi/{tenant_id}/tangguhkan", data={"csrf_token": token})
    assert refused.status_code == 302
    assert client_for("beta").get("/").status_code == 200
    platform.post(
        f"/admin/koperasi/{tenant_id}/tangguhkan", data={"csrf_token": token, "reason": "audit"}
    )
    assert client_for("beta").get("/").status_code == 403
    platform.post(f"/admin/koperasi/{tenant_id}/aktifkan", data={"csrf_token": token})
    assert client_for("beta").get("/").status_code == 200


def test_admin_list_searches_by_name(platform):

    login(platform, "admin@kode.id")
    html = text(platform.get("/admin/?q=beta"))
    assert "Koperasi Desa Merah Putih Beta" in html
    assert "Koperasi Desa Merah Putih Alpha" not in html


def test_officers_cannot_reach_the_admin_area(alpha):

    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/admin/").status_code == 404


def new_cooperative(platform, **data):
    token = csrf_token(platform, "/admin/koperasi/baru")
    fields = {"display_name": "KDMP Sumber Makmur", "slug": "sumber-makmur", "default_locale": "id"}
    return platform.post("/admin/koperasi/baru", data={**fields, **data, "csrf_token": token})


def test_admin_creates_a_cooperative_that_answers_at_once(platform, client_for):
    login(platform, "admin@kode.id")
    response = new_cooperative(platform, slug="  Sumber-Makmur ")
    assert response.status_code == 302
    home = client_for("sumber-makmur", lang=None).get("/")
    assert home.status_code == 200
    assert "KDMP Sumber Makmur" in text(home)


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("alpha", "already used by another cooperative"),
        ("www", "reserved"),
        ("a_b", "Use 3 to 40 lowercase letters"),
        ("", "This field is required"),
    ],
)
def test_unusable_addresses_get_a_clear_form_error_and_nothing_is_made(platform, db, slug, message):
    login(platform, "admin@kode.id")
    with db.platform_session() as session:
        before = session.scalar(select(func.count()).select_from(Tenant))
    response = new_cooperative(platform, slug=slug)
    assert response.status_code == 422
    assert message in text(response)
    assert 'id="slug-error"' in text(response)
    with db.platform_session() as session:
        assert session.scalar(select(func.count()).select_from(Tenant)) == before


def test_the_operations_commands_run_without_the_pages(app, db):
    """``flask --app wsgi tenants ...`` as an operator runs it: found without importing ``wsgi``
    and run in an app without blueprints, against the same databases."""
    settings = app.extensions["guyub.settings"]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "GUYUB_SHARDS": ",".join(f"{name}={url}" for name, url in settings.shards.items()),
        "SECRET_KEY": "cli",
        "LOG_LEVEL": "error",
    }
    script = (
        "import sys\n"
        "from flask.cli import cli\n"
        "try:\n"
        "    cli.main(['--app', 'wsgi', 'tenants', 'list'])\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code)\n"
        "print('loaded', sorted(m for m in sys.modules if m == 'wsgi' or m.endswith('.views')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert any("\talpha\tactive\t" in line for line in lines), done.stdout + done.stderr
    assert any("\tbeta\tactive\t" in line for line in lines)
    assert "exit 0" in lines
    assert "loaded []" in lines
    # the same group, reached through the app's own command line, runs in that app
    assert "\talpha\t" in app.test_cli_runner().invoke(args=["tenants", "list"]).output
