"""Command line: ``flask --app wsgi tenants ...``, ``db upgrade`` and ``seed-demo``.

``tenants`` and ``db`` are also Flask plugin commands (``flask.commands`` in pyproject.toml):
``flask`` finds them without importing ``wsgi``, and they run in an app built without its
pages, which they never use (the blueprints' modules and URL rules are a third of a second of
every start: budget P2 times the whole command).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import update_wrapper
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

from saas.config import Settings
from saas.db import get_databases
from saas.storage import Storage
from saas.tenants import queries
from saas.tenants.operations import (
    TenantNotFound,
    get_tenant_by_slug,
    resume_tenant,
    suspend_tenant,
)
from saas.tenants.provisioning import (
    ProvisioningError,
    fill_schema_pool,
    provision_tenant,
    recover_stuck_tenants,
)
from saas.tenants.rules import SlugError


def with_operations_app(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``command`` in an app context: of the app its runner supplies (a test's
    ``app.test_cli_runner()``), else of the app built from the environment without pages."""

    @click.pass_context
    def run(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        if not current_app:
            info = ctx.ensure_object(ScriptInfo)
            if info.create_app is not None:
                app = info.load_app()
            else:
                from saas import create_app  # saas imports this module

                app = create_app(pages=False)
            ctx.with_resource(app.app_context())
        return ctx.invoke(command, *args, **kwargs)

    return update_wrapper(run, command)


class OperationsGroup(AppGroup):
    """A group of commands that run the platform's operations and show no page: each runs in
    ``with_operations_app`` instead of Flask's ``with_appcontext``."""

    def command(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], click.Command]:
        def decorator(f: Callable[..., Any]) -> click.Command:
            return click.Group.command(self, *args, **kwargs)(with_operations_app(f))

        return decorator


tenants_cli = OperationsGroup(
    "tenants", help="Create, list, migrate, suspend and resume cooperatives."
)
db_cli = OperationsGroup("db", help="The platform database.")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["guyub.settings"]
    return settings


@tenants_cli.command("create")
@click.argument("slug")
@click.option("--name", "display_name", required=True, help="The cooperative's display name.")
@click.option("--locale", default="id", type=click.Choice(["id", "en"]))
@click.option("--shard", default=None, help="Place on this shard (default: the one with room).")
def create_command(slug: str, display_name: str, locale: str, shard: str | None) -> None:
    """Provision a cooperative at <slug>.<BASE_DOMAIN>."""
    try:
        tenant = provision_tenant(
            get_databases(),
            _settings(),
            slug=slug,
            display_name=display_name,
            default_locale=locale,
            shard=shard,
        )
    except SlugError as exc:
        raise click.ClickException(f"slug {slug!r} is {exc.code}") from exc
    except ProvisioningError as exc:
        raise click.ClickException(f"provisioning failed: {exc}") from exc
    click.echo(
        f"created {tenant.slug} (id {tenant.id}, shard {tenant.shard}, {tenant.schema_name})"
    )


@tenants_cli.command("list")
@click.option("--search", default="")
def list_command(search: str) -> None:
    """List cooperatives: id, slug, status, shard, schema, revision."""
    with get_databases().platform_session() as session:
        tenants, total = queries.list_tenants(session, search=search, limit=100_000)
    for t in tenants:
        click.echo(f"{t.id}\t{t.slug}\t{t.status}\t{t.shard}\t{t.schema_name}\t{t.schema_revision}")
    click.echo(f"{total} tenant(s)", err=True)


@tenants_cli.command("migrate")
@click.option("--jobs", default=2, show_default=True, help="Worker processes.")
@click.option("--only", multiple=True, help="Only these slugs.")
def migrate_command(jobs: int, only: tuple[str, ...]) -> None:
    """Upgrade every tenant schema not at head; exit 1 if any failed."""
    from saas.tenants.migrations import migrate_tenants  # Alembic: see saas.tenants.schemas

    report = migrate_tenants(get_databases(), _settings(), jobs=jobs, only=only or None)
    for slug, error in report.failed:
        click.echo(f"FAILED {slug}: {error}", err=True)
    click.echo(
        f"head {report.head}: {report.considered} behind, {len(report.migrated)} migrated, "
        f"{len(report.failed)} failed in {report.seconds:.2f}s"
    )
    if not report.ok:
        sys.exit(1)


@tenants_cli.command("suspend")
@click.argument("slug")
@click.option("--reason", required=True)
def suspend_command(slug: str, reason: str) -> None:
    """Suspend a cooperative: its host answers with a 403 page."""
    with get_databases().platform_session() as session:
        try:
            suspend_tenant(session, get_tenant_by_slug(session, slug), reason)
        except (TenantNotFound, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"suspended {slug}")


@tenants_cli.command("resume")
@click.argument("slug")
def resume_command(slug: str) -> None:
    """Lift a suspension."""
    with get_databases().platform_session() as session:
        try:
            resume_tenant(session, get_tenant_by_slug(session, slug))
        except (TenantNotFound, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"resumed {slug}")


@tenants_cli.command("fill-pool")
@click.option("--size", default=None, type=int, help="Ready schemas to keep per shard.")
def fill_pool_command(size: int | None) -> None:
    """Make empty schemas ahead of time so sign-up only renames one."""
    databases = get_databases()
    target = size if size is not None else _settings().schema_pool_target
    for shard in databases.shard_names:
        made = fill_schema_pool(databases, shard, target)
        click.echo(f"{shard}: made {made}, pool target {target}")


@tenants_cli.command("recover")
@click.option("--minutes", default=10, show_default=True)
def recover_command(minutes: int) -> None:
    """Finish or undo provisionings that stopped midway."""
    for slug, outcome in recover_stuck_tenants(get_databases(), timedelta(minutes=minutes)):
        click.echo(f"{slug}: {outcome}")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Migrate the platform database (public schema) to head."""
    from saas.platform_migrations import upgrade_platform

    upgrade_platform(get_databases())
    click.echo("platform database at head")


@click.command("seed-demo")
@click.option("--password", envvar="DEMO_PASSWORD", default="guyub-demo-2025")
def seed_demo_command(password: str) -> None:
    """Create (or keep) the demo cooperative, its officers and a platform admin."""
    from saas.seed import seed_demo

    for line in seed_demo(get_databases(), _settings(), password):
        click.echo(line)


def register_commands(app: Flask) -> None:
    from saas.billing.cli import billing_cli
    from saas.regions.cli import regions_cli

    app.cli.add_command(regions_cli)
    app.cli.add_command(billing_cli)
    app.cli.add_command(tenants_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_demo_command)


def _storage() -> Storage:
    storage: Storage = current_app.extensions["guyub.storage"]
    return storage


@tenants_cli.command("export")
@click.argument("slug")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False, writable=True))
def export_command(slug: str, out: str | None) -> None:
    """Write a cooperative's complete data to one zip archive (default: <slug>-<time>.zip)."""
    from saas.portability.export import export_tenant

    databases = get_databases()
    with databases.platform_session() as session:
        try:
            tenant = get_tenant_by_slug(session, slug)
        except TenantNotFound as exc:
            raise click.ClickException(f"no cooperative {slug!r}") from exc
    now = datetime.now(UTC)
    path = Path(out or f"{slug}-{now:%Y%m%dT%H%M%SZ}.zip")
    with path.open("wb") as target:
        manifest = export_tenant(databases, _storage(), tenant, target, exported_at=now)
    rows = sum(table["rows"] for table in manifest["tables"])
    click.echo(
        f"exported {slug} to {path}: {len(manifest['tables'])} tables, {rows} rows, "
        f"{len(manifest['attachments'])} files"
    )
    for key in manifest["missing_attachments"]:
        click.echo(f"missing file {key}", err=True)


@tenants_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "slug", required=True, help="The restored cooperative's slug.")
@click.option("--shard", default=None, help="Place on this shard (default: the one with room).")
def restore_command(archive: str, slug: str, shard: str | None) -> None:
    """Restore an exported archive as a new cooperative at <slug>.<BASE_DOMAIN>."""
    from saas.portability.restore import RestoreError, open_archive, restore_tenant

    try:
        opened = open_archive(archive)
        tenant = restore_tenant(
            get_databases(), _settings(), _storage(), opened, slug=slug, shard=shard
        )
    except SlugError as exc:
        raise click.ClickException(f"slug {slug!r} is {exc.code}") from exc
    except (RestoreError, ValueError) as exc:
        raise click.ClickException(f"restore failed: {exc}") from exc
    click.echo(
        f"restored {tenant.slug} (id {tenant.id}, shard {tenant.shard}, {tenant.schema_name})"
    )


@tenants_cli.command("move")
@click.argument("slug")
@click.option("--to", "target", help="The shard to move the cooperative to.")
@click.option(
    "--abort",
    is_flag=True,
    help="Undo a move that stopped before it switched: drop its copy, take writes again.",
)
def move_command(slug: str, target: str | None, abort: bool) -> None:
    """Move a cooperative to another shard; its site stays up and read-only meanwhile."""
    from saas.portability.move import MoveError, abort_stopped_move, move_tenant
    from saas.portability.restore import RestoreError

    if abort == (target is not None):
        raise click.UsageError("give either --to SHARD or --abort")
    started = datetime.now(UTC)
    try:
        if abort:
            left = abort_stopped_move(get_databases(), slug)
            click.echo(f"move of {slug} to {left} undone: it takes writes again where it was")
            return
        assert target is not None
        tenant = move_tenant(get_databases(), _storage(), slug, target)
    except TenantNotFound as exc:
        raise click.ClickException(f"no cooperative {slug!r}") from exc
    except (MoveError, RestoreError) as exc:
        raise click.ClickException(f"move failed, {slug} stays where it was: {exc}") from exc
    seconds = (datetime.now(UTC) - started).total_seconds()
    click.echo(f"moved {slug} to {tenant.shard} ({tenant.schema_name}) in {seconds:.1f}s")


@tenants_cli.command("capacity")
def capacity_command() -> None:
    """Per shard: schemas (live, pooled), catalog size, disk, and where new cooperatives go."""
    from saas.portability.capacity import next_shard, shard_capacities

    limit = _settings().max_tenants_per_shard
    click.echo("shard\tlive\tpooled\ttenants\troom\tpg_class\tpg_attribute\tcatalog_mb\tdisk_mb")
    for shard in shard_capacities(get_databases(), limit):
        click.echo(
            f"{shard.name}\t{shard.live_schemas}\t{shard.pooled_schemas}\t"
            f"{shard.counted_tenants}\t{shard.room}\t{shard.catalog_rows['pg_class']}\t"
            f"{shard.catalog_rows['pg_attribute']}\t{shard.catalog_bytes / 2**20:.1f}\t"
            f"{shard.database_bytes / 2**20:.1f}"
        )
        if shard.counter_drift:
            click.echo(
                f"{shard.name}: the placement counter says {shard.counted_tenants} tenants, "
                f"the registry {shard.registered_tenants}",
                err=True,
            )
    click.echo(f"new cooperatives go to {next_shard(get_databases(), limit)}")
