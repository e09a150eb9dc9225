"""Helpers shared by the benchmark scripts: the database server, settings, timing, output.

Figures go to standard output as one JSON object per line (``emit``); everything else goes to
standard error (``log``). The server is ``BENCH_DATABASE_URL`` when set, else an embedded
PostgreSQL (``pgserver``) under ``instance/bench/pgdata`` that stops when the last process using
it exits.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import sys
import time
import uuid
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
BENCH_ROOT = PROJECT_ROOT / "instance" / "bench"
PGDATA = BENCH_ROOT / "pgdata"

if str(PROJECT_ROOT) not in sys.path:  # run as ``python bench/pX.py`` from anywhere
    sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import func, select  # noqa: E402

from saas.billing import queries as billing_queries  # noqa: E402
from saas.billing.models import Subscription  # noqa: E402
from saas.config import Settings, load_settings  # noqa: E402
from saas.db import Databases  # noqa: E402
from saas.embedded_pg import database_url as server_url  # noqa: E402
from saas.embedded_pg import ensure_database, start_embedded_server  # noqa: E402
from saas.platform_migrations import upgrade_platform  # noqa: E402
from saas.tenants import schemas  # noqa: E402
from saas.tenants.models import DomainKind, Tenant, TenantDomain, TenantStatus  # noqa: E402

_server: Any = None  # keeps pgserver's handle alive for the life of the process


def log(message: str) -> None:
    """Write one progress line to standard error."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def emit(record: dict[str, Any]) -> None:
    """Write one figure as one JSON line to standard output."""
    print(json.dumps(record, ensure_ascii=False, sort_keys=False), flush=True)


def admin_url() -> str:
    """An administrative URL: BENCH_DATABASE_URL, else the embedded server's ``postgres``."""
    global _server  # noqa: PLW0603 - one server handle per process
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return url
    if _server is None:
        BENCH_ROOT.mkdir(parents=True, exist_ok=True)
        log(f"starting (or joining) the embedded PostgreSQL in {PGDATA}")
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs.*")
        _server = start_embedded_server(PGDATA)
    return str(server_url(_server, "postgres"))


def url_for_database(url: str, name: str) -> str:
    """The URL ``url`` pointed at database ``name`` (socket and TCP URLs alike)."""
    return re.sub(r"(://[^/]*/)([^?]*)", lambda m: m.group(1) + name, url, count=1)


def settle(database_url: str | None = None) -> None:
    """Flush what setting up wrote before a timed phase starts: building tenants leaves a few
    hundred new files per schema for the checkpointer, whose syncing would otherwise land in
    the middle of the measurement (superuser only; skipped, and said, without the right).
    With ``database_url``, that database's catalog is vacuumed and analysed first, which
    autovacuum would otherwise do under the load after thousands of schemas were made. A
    database another session is dropping (``run_all.py`` drops the population while the next
    script sets up) is waited for first: removing its files keeps the disk and a core busy."""
    if database_url is not None:
        with psycopg.connect(database_url, autocommit=True) as connection:
            vacuum_catalog(connection)
    try:
        with psycopg.connect(admin_url(), autocommit=True) as connection:
            wait_for_drops(connection)
            started = time.perf_counter()
            connection.execute("CHECKPOINT")
        os.sync()  # and what the kernel still holds of the files written before
        log(f"checkpoint and sync in {time.perf_counter() - started:.1f}s")
    except psycopg.errors.InsufficientPrivilege:
        log("CHECKPOINT needs a superuser: the timed phase may meet a checkpoint")


DROPPING = (
    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
    " AND pid <> pg_backend_pid() AND query ILIKE 'DROP DATABASE%'"
)


def wait_for_drops(connection: psycopg.Connection[Any]) -> None:
    """Return when no other session is dropping a database (checked twice a second)."""
    said = False
    started = time.perf_counter()
    while (row := connection.execute(DROPPING).fetchone()) is not None and row[0]:
        if not said:
            log("a database is being dropped: waiting for it to be gone before timing")
            said = True
        time.sleep(0.5)
    if said:
        log(f"waited {time.perf_counter() - started:.1f}s for the drop")


CATALOG_TABLES = (
    "SELECT c.oid::regclass::text FROM pg_class c "
    "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'"
)


def vacuum_everything(databases: Databases, shard: str = "main") -> None:
    """VACUUM (ANALYZE) every table of ``shard``'s database, as autovacuum does in time after a
    bulk load: statistics, and the visibility map that index-only scans rely on. A script
    calls it between writing its history and timing, so that no autovacuum worker starts on
    the tables just written (an insert threshold crossed) in the middle of the timing."""
    engine = databases.shard_engines[shard].execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def vacuum_catalog(connection: psycopg.Connection[Any]) -> None:
    """VACUUM (ANALYZE) every catalog table of the connection's database (autocommit)."""
    for (name,) in connection.execute(CATALOG_TABLES).fetchall():
        connection.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(name)))


@contextmanager
def building(databases: Databases, shard: str) -> Iterator[None]:
    """The server set for building tenants on ``shard`` (untimed), and that shard's catalog
    vacuumed and analysed once after.

    - Autovacuum off: every schema adds hundreds of catalog rows, so autovacuum would scan the
      growing catalog again and again (a seventh of the building's time at 5,000 tenants), and
      leave its last pass to land in the next timed phase.
    - ``fsync`` off, on the bench's own embedded server only: PostgreSQL 16 syncs every new
      index's file when it is built, some 150 a schema. Building 1,200 schemas, then a
      checkpoint and sync, took 132 and 168 s with it on, 94, 97 and 100 s with it off. The
      data still reaches the disk before anything is timed (``settle()``); a crash of the
      machine in the middle of building can leave that server unusable (remove
      ``instance/bench/pgdata``).

    Superuser only: without the right, building goes on as the server is set (and says so)."""
    changes = ["autovacuum = off", *(["fsync = off"] if _embedded() else [])]
    if not _alter_system([f"ALTER SYSTEM SET {change}" for change in changes]):
        log("setting the server for building needs a superuser: building as it is set")
        yield
        return
    try:
        yield
    finally:
        restore_server()
    url = databases.shard_engines[shard].url.set(drivername="postgresql")
    started = time.perf_counter()
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as connection:
        vacuum_catalog(connection)
    log(f"vacuumed the catalog of shard {shard} in {time.perf_counter() - started:.1f}s")


def _embedded() -> bool:
    """Whether the server is the bench's own (its data in ``PGDATA``), not one it was given."""
    try:
        with psycopg.connect(admin_url(), autocommit=True) as connection:
            row = connection.execute("SHOW data_directory").fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return False
    return row is not None and Path(row[0]).resolve() == PGDATA.resolve()


def restore_server() -> None:
    """The server as its configuration has it (after building, or a run killed in it)."""
    _alter_system(["ALTER SYSTEM RESET autovacuum", "ALTER SYSTEM RESET fsync"])


def _alter_system(statements: Sequence[str]) -> bool:
    """Run ``statements`` and reload the server's configuration; False without the right."""
    try:
        with psycopg.connect(admin_url(), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
            connection.execute("SELECT pg_reload_conf()")
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


POPULATION_HELP = (
    "use the run's shared databases of this name: made when missing, else used as they are "
    "(the tenants already there count), and kept at the end (run_all.py drops them)"
)


def database_name(prefix: str, shard: str) -> str:
    """The database of ``shard`` in a script's set (``main`` is ``prefix`` itself)."""
    return prefix if shard == "main" else f"{prefix}_{shard}"


def drop_databases(
    prefix: str, shards: Sequence[str] = ("main",), *, keep: bool | None = None
) -> None:
    """Drop a script's databases when it is done, unless ``keep`` (by default: unless
    ``BENCH_KEEP`` is set): thousands of schemas left behind would have the server vacuum their
    catalogs under the next script's measurement, and take gigabytes of disk."""
    if keep if keep is not None else os.environ.get("BENCH_KEEP"):
        return
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        for shard in shards:
            name = database_name(prefix, shard)
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    log(f"dropped the databases of {prefix} (BENCH_KEEP=1 keeps them)")


def fresh_databases(
    prefix: str, shards: Sequence[str] = ("main",), *, recreate: bool = True
) -> dict[str, str]:
    """One database per shard (``main`` is ``prefix``), dropped and made again unless
    ``recreate`` is false (then made only when missing); return their URLs."""
    admin = admin_url()
    urls: dict[str, str] = {}
    for shard in shards:
        name = database_name(prefix, shard)
        ensure_database(admin, name, recreate=recreate)
        urls[shard] = url_for_database(admin, name)
    return urls


def make_settings(shard_urls: dict[str, str], **overrides: Any) -> Settings:
    """Settings for the bench databases (platform database = shard ``main``)."""
    instance_dir = BENCH_ROOT / "instance"
    instance_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "database_url": shard_urls["main"],
        "shards": dict(shard_urls),
        "secret_key": "bench",
        "testing": True,
        "instance_dir": instance_dir,
        "schema_pool_target": 0,
    }
    values.update(overrides)
    return load_settings(**values)


def prepare_platform(
    prefix: str, shards: Sequence[str] = ("main",), *, shared: bool = False
) -> tuple[Settings, Databases]:
    """Fresh databases (or, ``shared``, the run's population as it stands), settings and
    engines with the platform schema at head."""
    settings = make_settings(fresh_databases(prefix, shards, recreate=not shared))
    databases = Databases(settings)
    upgrade_platform(databases)
    return settings, databases


def put_on_paid_plan(databases: Databases, tenant: Tenant) -> None:
    """The bench cooperative on the Koperasi plan, as a paid subscription would leave it: its
    loans and shop are paid extras, asked of the platform by the operations themselves."""
    with databases.platform_session() as session:
        session.merge(
            Subscription(
                tenant_id=tenant.id,
                plan=billing_queries.get_plan(session, "koperasi"),
                period="year",
                status="active",
                stripe_customer_id=f"cus_bench_{tenant.slug}",
                stripe_subscription_id=f"sub_bench_{tenant.slug}",
                cancel_at_period_end=False,
            )
        )
        session.commit()


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def p50(values: Sequence[float]) -> float:
    """The median."""
    return percentile(values, 50)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile."""
    return percentile(values, 95)


def ms(seconds: float) -> float:
    """Seconds as milliseconds rounded to 0.01."""
    return round(seconds * 1000.0, 2)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Time a block; the elapsed seconds are appended to the yielded list on exit."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)


def server_version(databases: Databases) -> str:
    """The PostgreSQL server version string (``server_version`` setting)."""
    with databases.platform_engine.connect() as connection:
        return str(connection.exec_driver_sql("SHOW server_version").scalar())


def count_schemas(databases: Databases, shard: str = "main") -> int:
    """How many non-system schemas the shard's database holds."""
    with databases.shard_engines[shard].connect() as connection:
        return int(
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_namespace WHERE nspname !~ '^(pg_|information_schema)'"
            ).scalar()
            or 0
        )


class SlugCounter:
    """Hands out unique, valid tenant slugs (``bench-000001``, ...), also to several threads."""

    def __init__(self, start: int = 1) -> None:
        self.indexes = itertools.count(start)  # next() on it is atomic

    @classmethod
    def following(cls, databases: Databases) -> SlugCounter:
        """Slugs after the highest the registry holds (a shared population has some)."""
        with databases.platform_engine.connect() as connection:
            highest = connection.exec_driver_sql(
                "SELECT max(substring(slug FROM 7)::int) FROM tenants "
                "WHERE slug ~ '^bench-[0-9]{6}$'"
            ).scalar()
        return cls(int(highest or 0) + 1)

    def take(self) -> str:
        """The next unused slug."""
        return f"bench-{next(self.indexes):06d}"


def count_tenants(databases: Databases) -> int:
    """Live (not failed) tenants in the registry."""
    with databases.platform_session() as session:
        query = select(func.count()).select_from(Tenant).where(Tenant.status != TenantStatus.FAILED)
        return int(session.scalar(query) or 0)


def add_tenants(
    databases: Databases,
    slugs: SlugCounter,
    count: int,
    *,
    shard: str = "main",
    batch: int = 2,
    threads: int = 4,
) -> None:
    """Create ``count`` active tenants fast: registry rows plus real schemas named and marked as
    a sign-up leaves them (``kop_p<hex>``, commented ``tenant <id>``), in batches, from
    ``threads`` threads (the DDL runs in the server, one backend for each), the server set for
    it (``building``). With ``fsync`` on, a schema's DDL waits on the disk (its WAL, its ~290
    new files) for much of its time, and four backends on two cores make schemas 10-15% faster
    than two; with it off, two and four go alike. Each schema holds ~570 locks to its
    transaction's end: four threads of two schemas stay within PostgreSQL's default lock table
    (64 per connection, 6,400), so one call runs at a time."""
    head = schemas.tenant_head()
    if schemas.RECORDED.made is None:  # as the job worker does: later schemas replay its DDL
        with databases.shard_transaction(shard) as connection:
            schemas.add_pool_schema(connection, head)
    shares = [count // threads + (index < count % threads) for index in range(threads)]
    with building(databases, shard), ThreadPoolExecutor(max_workers=threads) as pool:
        done = [pool.submit(_add_in_batches, databases, slugs, n, shard, batch) for n in shares]
        for future in done:
            future.result()


def _add_in_batches(
    databases: Databases, slugs: SlugCounter, count: int, shard: str, batch: int
) -> None:
    head = schemas.tenant_head()
    remaining = count
    while remaining > 0:
        size = min(batch, remaining)
        with databases.platform_session() as session:
            tenants = [
                Tenant(
                    slug=slugs.take(),
                    display_name="Koperasi Bench",
                    shard=shard,
                    status=TenantStatus.PROVISIONING,
                    default_locale="id",
                )
                for _ in range(size)
            ]
            session.add_all(tenants)
            session.flush()
            for tenant in tenants:  # named and marked as a sign-up's claimed pool schema is
                tenant.schema_name = f"{schemas.POOL_PREFIX}{uuid.uuid4().hex[:16]}"
                tenant.domains.append(
                    TenantDomain(
                        kind=DomainKind.SUBDOMAIN, host=tenant.slug, verified_at=datetime.now(UTC)
                    )
                )
            with databases.shard_transaction(shard) as connection:
                for tenant in tenants:
                    assert tenant.schema_name is not None
                    schemas.create_schema_from_metadata(connection, tenant.schema_name, head)
                    connection.exec_driver_sql(
                        f"COMMENT ON SCHEMA \"{tenant.schema_name}\" IS 'tenant {tenant.id}'"
                    )
            for tenant in tenants:
                tenant.status = TenantStatus.ACTIVE
                tenant.schema_revision = head
            session.commit()
        remaining -= size


def grow_to(databases: Databases, slugs: SlugCounter, target: int, *, shard: str = "main") -> int:
    """Add tenants until the registry holds ``target`` live ones; return how many were added."""
    missing = max(0, target - count_tenants(databases))
    if missing:
        log(f"growing the registry by {missing} tenants to {target}")
        started = time.perf_counter()
        add_tenants(databases, slugs, missing, shard=shard)
        log(f"grew by {missing} in {time.perf_counter() - started:.1f}s")
    return missing


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_pages_ms(
    settings: Settings,
    *,
    slug: str,
    identifier: str,
    password: str,
    now: datetime,
    runs: int,
    paths: Sequence[str],
) -> dict[str, float]:
    """The median time of ``runs`` GETs of each page through the Flask test client, signed in
    on the cooperative's own host, with the clock at ``now``."""
    from saas import clock, create_app  # noqa: PLC0415 - the app only for the benches that ask

    app = create_app(settings)
    client = app.test_client()
    host = f"http://{slug}.{settings.base_domain}"  # the cooperative's own host
    timings: dict[str, float] = {}
    with clock.frozen(now):
        found = CSRF.search(client.get("/masuk", base_url=host).get_data(as_text=True))
        assert found is not None, "the sign-in page has no CSRF token"
        signed_in = client.post(
            "/masuk",
            base_url=host,
            data={"identifier": identifier, "password": password, "csrf_token": found.group(1)},
        )
        assert signed_in.status_code == 302, f"{identifier} could not sign in"
        for path in paths:

            def get_page(path: str = path) -> None:
                response = client.get(path, base_url=host)
                assert response.status_code == 200, response.status_code

            get_page()  # the first request warms the pools and the templates
            seconds = []
            for _ in range(runs):
                started = time.perf_counter()
                get_page()
                seconds.append(time.perf_counter() - started)
            timings[path] = ms(p50(seconds))
    app.extensions["guyub.databases"].dispose()
    return timings
