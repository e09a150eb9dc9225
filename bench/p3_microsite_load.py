"""P3/P4: the public microsite home under load, spread over 1,000 tenants.

The script gives 1,000 tenants (registry rows and real schemas: the first of the run's shared
population with ``--population``, made here when missing) a profile, seven officers, seven
business units and a summary row each, counts the SQL statements one home page runs (every
engine listened to, tenant resolution included), then starts gunicorn with the project's
``gunicorn.conf.py`` on 127.0.0.1 and loads it with wrk (Debian package): 16 connections, each
request to a random tenant's Host. Saturation gives req/s, p50 and p99 (P3); a second run paced
at half that rate gives the p99 of P4. The peer in the same run is ``/robots.txt`` on the same
hosts: tenant resolution and nothing else, the ceiling of the stack.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import (
    POPULATION_HELP,
    PROJECT_ROOT,
    SlugCounter,
    add_tenants,
    drop_databases,
    emit,
    log,
    prepare_platform,
    settle,
)
from sqlalchemy import event, exists, insert, select, update

from saas import create_app
from saas.config import Settings, load_settings
from saas.dashboard.models import TenantSummary
from saas.db import TENANT_SCHEMA, Databases
from saas.microsite.models import BoardMember, BusinessUnit, CooperativeProfile, Position, UnitKind
from saas.tenants.models import Tenant, TenantStatus
from tests.nginx_proxy import nginx_in_front

BUDGET_REQ_S = 900
BUDGET_STATEMENTS = 4
BUDGET_P99_HALF_MS = 50
CONNECTIONS = 16
THREADS = 2
SHARD = "main"

PROVINCES = ("Jawa Barat", "Jawa Tengah", "Nusa Tenggara Timur", "Sulawesi Selatan", "Riau")
MANDATED = (
    (UnitKind.KANTOR, "Kantor Koperasi"),
    (UnitKind.SEMBAKO, "Gerai Sembako"),
    (UnitKind.SIMPAN_PINJAM, "Unit Simpan Pinjam"),
    (UnitKind.KLINIK, "Klinik Desa"),
    (UnitKind.APOTEK, "Apotek Desa"),
    (UnitKind.GUDANG, "Cold Storage"),
    (UnitKind.LOGISTIK, "Logistik"),
)
OFFICERS = (
    (Position.KETUA, "Siti Rahmawati"),
    (Position.WAKIL_KETUA_USAHA, "Budi Santoso"),
    (Position.WAKIL_KETUA_ANGGOTA, "Dewi Lestari"),
    (Position.SEKRETARIS, "Agus Salim"),
    (Position.BENDAHARA, "Rina Marlina"),
    (Position.KETUA_PENGAWAS, "Haji Mahmud"),
    (Position.ANGGOTA_PENGAWAS, "Yusuf Hidayat"),
)

LUA = """
local hosts = {}
for line in io.lines(os.getenv("BENCH_HOSTS")) do hosts[#hosts + 1] = line end
local path = os.getenv("BENCH_PATH") or "/"
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
math.randomseed(os.time())

request = function()
  return wrk.format("GET", path, { Host = hosts[math.random(#hosts)] })
end

if pause > 0 then
  delay = function() return pause end
end

done = function(summary, latency, requests)
  local f = io.open(os.getenv("BENCH_OUT"), "w")
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "status_errors": %d, "timeouts": %d}',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.status,
    summary.errors.timeout))
  f:close()
end
"""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 tenants, 2 s runs: a smoke run")
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--population", default="", help=POPULATION_HELP)
    args = parser.parse_args(argv)
    if args.quick:
        args.tenants, args.warmup, args.duration = 50, 1.0, 2.0
    return args


# -- the tenants ---------------------------------------------------------------------------------


def bare_tenants(databases: Databases, count: int) -> list[Tenant]:
    """The first ``count`` bench tenants of the shard without a microsite (no summary row)."""
    with databases.platform_session() as session:
        query = (
            select(Tenant)
            .where(
                Tenant.slug.like("bench-%"),
                Tenant.shard == SHARD,
                Tenant.status == TenantStatus.ACTIVE,
                ~exists().where(TenantSummary.tenant_id == Tenant.id),
            )
            .order_by(Tenant.id)
            .limit(count)
        )
        return list(session.scalars(query))


def populate(databases: Databases, count: int) -> list[str]:
    """``count`` tenants with a filled-in microsite (the tenants made when there are fewer);
    their hosts (``slug.localhost``)."""
    tenants = bare_tenants(databases, count)
    if missing := count - len(tenants):
        add_tenants(databases, SlugCounter.following(databases), missing, shard=SHARD)
        tenants = bare_tenants(databases, count)
    with databases.platform_session() as session:
        now = datetime.now(UTC)
        for index, tenant in enumerate(tenants):
            province = PROVINCES[index % len(PROVINCES)]
            session.execute(
                update(Tenant)
                .where(Tenant.id == tenant.id)
                .values(
                    display_name=f"Koperasi Desa Merah Putih Desa {index + 1}",
                    region_label=f"Desa {index + 1}, Kec. Bench, Kab. Bench, {province}",
                    verified_at=now - timedelta(days=index % 90),
                )
            )
        session.execute(
            insert(TenantSummary),
            [
                {
                    "tenant_id": t.id,
                    "content_updated_at": now - timedelta(days=i % 40),
                    "running_units": len(MANDATED),
                    "completeness": 100,
                    "refreshed_at": now,
                }
                for i, t in enumerate(tenants)
            ],
        )
        session.commit()
        schemas = [str(t.schema_name) for t in tenants]
        hosts = [f"{t.slug}.localhost" for t in tenants]
    with databases.shard_engines[SHARD].begin() as connection:
        for schema in schemas:
            _fill_microsite(
                connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
            )
    return hosts


def _fill_microsite(connection: Any) -> None:
    """A profile, the seven officers and the seven mandated units, in three statements."""
    connection.execute(
        insert(CooperativeProfile).values(
            id=1,
            vision="Menjadi koperasi desa yang mandiri, transparan dan menyejahterakan anggota.",
            mission="Melayani kebutuhan pokok, simpan pinjam dan pemasaran hasil bumi warga.",
            village_potential="Padi, jagung, gula aren dan wisata air terjun.",
            address="Jl. Raya Desa No. 1",
            postal_code="40111",
            whatsapp="+6281234567890",
        )
    )
    connection.execute(
        insert(BoardMember),
        [
            {
                "position": position,
                "name": name,
                "phone": None,
                "is_village_official": False,
                "is_related_to_board": False,
            }
            for position, name in OFFICERS
        ],
    )
    connection.execute(
        insert(BusinessUnit),
        [
            {
                "kind": kind,
                "name": name,
                "status": "running",
                "description": f"{name} melayani warga desa setiap hari.",
                "opening_hours": "Senin-Sabtu 08.00-16.00",
            }
            for kind, name in MANDATED
        ],
    )


# -- statements per request ----------------------------------------------------------------------


def count_statements(settings: Settings, host: str) -> tuple[int, int]:
    """(SQL statements, status) of one home page request, counted on every engine."""
    app = create_app(settings)
    databases = app.extensions["guyub.databases"]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engines = [databases.platform_engine, *databases.shard_engines.values()]
    unique = list({id(engine): engine for engine in engines}.values())
    client = app.test_client()
    client.get("/", headers={"Host": host})  # first request warms pools and caches
    for engine in unique:
        event.listen(engine, "before_cursor_execute", count)
    try:
        status = client.get("/", headers={"Host": host}).status_code
    finally:
        for engine in unique:
            event.remove(engine, "before_cursor_execute", count)
    databases.dispose()
    return len(statements), status


# -- the server and the load ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(settings: Settings, port: int, host: str) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with the project's configuration, serving the bench databases."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "GUYUB_SHARDS": ",".join(f"{name}={url}" for name, url in settings.shards.items()),
        "SECRET_KEY": "bench",
        "BASE_DOMAIN": "localhost",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warning",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(PROJECT_ROOT / "gunicorn.conf.py"),
        "wsgi:app",
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_serving(port, host, process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_serving(port: int, host: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def worker_pids(process: subprocess.Popen[bytes]) -> set[str]:
    """The process ids of gunicorn's workers now."""
    return set(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split())


def worker_rss_mb(process: subprocess.Popen[bytes]) -> float:
    """The largest resident set of gunicorn's worker processes, in MB."""
    sizes = []
    for pid in worker_pids(process):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return round(max(sizes), 1) if sizes else 0.0


def wrk(
    port: int, hosts_file: Path, *, seconds: float, path: str = "/", delay_ms: float = 0
) -> dict[str, Any]:
    """One wrk run; its summary (requests, duration, latency percentiles in µs, errors)."""
    with tempfile.TemporaryDirectory() as folder:
        script, out = Path(folder) / "hosts.lua", Path(folder) / "out.json"
        script.write_text(LUA)
        env = {
            **os.environ,
            "BENCH_HOSTS": str(hosts_file),
            "BENCH_PATH": path,
            "BENCH_OUT": str(out),
            "BENCH_DELAY_MS": str(delay_ms),
        }
        command = [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)
        result: dict[str, Any] = json.loads(out.read_text())
    result["req_s"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["errors"] = sum(
        result[k] for k in ("connect_errors", "read_errors", "status_errors", "timeouts")
    )
    return result


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs Debian's wrk (apt-get install wrk)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    require_wrk()
    shared = bool(args.population)
    prefix = args.population or "bench_p3"
    settings, databases = prepare_platform(prefix, shared=shared)
    log(f"giving {args.tenants} tenants a filled-in microsite")
    hosts = populate(databases, args.tenants)
    databases.dispose()
    settle(settings.database_url)
    fields = {"id": "P3", "tenants": len(hosts), "server": "gunicorn, gunicorn.conf.py (2 cores)"}

    measured_settings = load_settings(
        database_url=settings.database_url,
        shards=dict(settings.shards),
        secret_key="bench",  # noqa: S106 - a throwaway key for the bench server
        instance_dir=settings.instance_dir,
    )
    statements, status = count_statements(measured_settings, random.choice(hosts))
    emit(
        {
            **fields,
            "name": "home_sql_statements",
            "value": statements,
            "unit": "statements/request",
            "status": status,
            "budget": BUDGET_STATEMENTS,
            "pass": status == 200 and statements <= BUDGET_STATEMENTS,
        }
    )

    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as hosts_file:
        hosts_file.write("\n".join(f"{h}:{port}" for h in hosts) + "\n")
        hosts_file.flush()
        hosts_path = Path(hosts_file.name)
        with gunicorn(measured_settings, port, hosts[0] + f":{port}") as server:
            log(f"warming up for {args.warmup:.0f} s")
            wrk(port, hosts_path, seconds=args.warmup)
            log(f"saturation: {CONNECTIONS} connections for {args.duration:.0f} s")
            before = worker_pids(server)
            full = wrk(port, hosts_path, seconds=args.duration)
            full["recycled"] = len(before - worker_pids(server))
            # The peer and the proxy are references, not budgets: half as long.
            reference = args.duration / 2
            log(f"peer: /robots.txt on the same hosts for {reference:.0f} s")
            peer = wrk(port, hosts_path, seconds=reference, path="/robots.txt")
            half_rate = full["req_s"] / 2
            delay_ms = round(CONNECTIONS * 1000 / half_rate, 2)
            log(f"half saturation: ~{half_rate:.0f} req/s ({delay_ms} ms between requests)")
            before = worker_pids(server)
            half = wrk(port, hosts_path, seconds=args.duration, delay_ms=delay_ms)
            half["recycled"] = len(before - worker_pids(server))
            log(f"workers recycled: {full['recycled']} at saturation, {half['recycled']} at half")
            rss = worker_rss_mb(server)
            with (
                tempfile.TemporaryDirectory() as folder,
                nginx_in_front(port, Path(folder) / "nginx") as proxy_port,
            ):
                proxied_hosts = Path(folder) / "hosts.txt"
                proxied_hosts.write_text("\n".join(f"{h}:{proxy_port}" for h in hosts) + "\n")
                log(f"behind nginx (deploy/): warming up, then {reference:.0f} s")
                wrk(proxy_port, proxied_hosts, seconds=args.warmup)
                proxied = wrk(proxy_port, proxied_hosts, seconds=reference)

    load = f"wrk -t{THREADS} -c{CONNECTIONS}, {args.duration:.0f} s after {args.warmup:.0f} s"
    emit(
        {
            **fields,
            "name": "home_req_s",
            "value": full["req_s"],
            "unit": "req/s",
            "load": load,
            "errors": full["errors"],
            "workers_recycled": full["recycled"],
            "peer": "robots_txt_req_s",
            "peer_value": peer["req_s"],
            "budget": BUDGET_REQ_S,
            "pass": full["req_s"] >= BUDGET_REQ_S and full["errors"] == 0,
        }
    )
    for pct in ("p50", "p99"):
        emit(
            {
                **fields,
                "name": f"home_latency_{pct}",
                "value": round(full[f"{pct}_us"] / 1000, 2),
                "unit": "ms",
                "load": load,
                "peer": f"robots_txt_latency_{pct}",
                "peer_value": round(peer[f"{pct}_us"] / 1000, 2),
            }
        )
    emit(
        {
            **fields,
            "id": "P4",
            "name": "home_latency_p99_half_saturation",
            "value": round(half["p99_us"] / 1000, 2),
            "unit": "ms",
            "load": f"{load}, paced to ~{half_rate:.0f} req/s",
            "achieved_req_s": half["req_s"],
            "p50_ms": round(half["p50_us"] / 1000, 2),
            "errors": half["errors"],
            "workers_recycled": half["recycled"],
            "budget": BUDGET_P99_HALF_MS,
            "pass": half["p99_us"] / 1000 <= BUDGET_P99_HALF_MS and half["errors"] == 0,
        }
    )
    emit(
        {
            **fields,
            "name": "home_req_s_behind_nginx",
            "value": proxied["req_s"],
            "unit": "req/s",
            "load": f"wrk -t{THREADS} -c{CONNECTIONS}, {reference:.0f} s after {args.warmup:.0f} s",
            "proxy": "nginx 1 worker with deploy/nginx.conf.template (micro-cache), same 2 cores",
            "p99_ms": round(proxied["p99_us"] / 1000, 2),
            "errors": proxied["errors"],
        }
    )
    emit(
        {
            **fields,
            "id": "P5",
            "name": "web_worker_rss_max",
            "value": rss,
            "unit": "MB",
            "condition": "after the load runs above, largest gunicorn worker",
            "budget": 150,
            "pass": rss <= 150,
        }
    )
    if not shared:
        drop_databases(prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
