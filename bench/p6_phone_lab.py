"""P6: a cold first page on a phone; P6b: a later page with a warm cache and an htmx interaction.

The script seeds the demo cooperative as a real one looks (profile, board, business units, news,
products, a logo and photos, a verified village address), serves the app with gunicorn on
127.0.0.1 as ``make run`` does, and drives Debian's Chromium through Playwright at a phone's
viewport (412x823, device scale factor 2.625). Each cold load runs in a fresh browser context with
the cache disabled and Lighthouse's DevTools throttling sent over CDP (request latency = RTT x
3.75, throughput x 0.9, CPU 4x). Transfer is the sum of ``Network.loadingFinished``
``encodedDataLength``; requests count ``Network.requestWillBeSent`` (``data:`` URLs left out);
LCP and CLS come from a ``PerformanceObserver`` injected before the page's own scripts and read
once the network is idle. Every figure is the median of ``--runs`` loads, compared with its
budget, never asserted.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from common import BENCH_ROOT, PROJECT_ROOT, emit, log, p50, prepare_platform
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.config import Settings
from saas.dashboard.operations import refresh_tenant_summary
from saas.db import Databases
from saas.microsite import operations as microsite
from saas.microsite.models import BoardMember, BusinessUnit, Position, UnitKind, UnitStatus
from saas.microsite.queries import get_public_page
from saas.regions import queries as regions
from saas.regions.loader import count_regions, load_regions
from saas.seed import DEMO_SLUG, seed_demo
from saas.storage import LocalStorage
from saas.tenants.models import Tenant
from saas.uploads import clean_image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Lighthouse's emulated phone (moto g power 2022).
VIEWPORT = {"width": 412, "height": 823}
SCALE = 2.625
MOBILE_UA = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)
CPU_SLOWDOWN = 4
DEMO_PASSWORD = "bench-phone-lab-2026"  # noqa: S105 - a local bench

BUDGET_TRANSFER = 30 * 1024
BUDGET_REQUESTS = 4
BUDGET_LCP_MS = 1500
BUDGET_CLS = 0.0
BUDGET_LCP_3G_MS = 2500
BUDGET_WARM_TRANSFER = 8 * 1024
INTERACTION_SLACK_MS = 150  # P6b: click to updated paint <= 1 RTT + 150 ms

# Collects LCP (buffered, last candidate wins) and CLS (shifts without recent input).
PERF_OBSERVER_JS = """
window.__p6 = {lcp: null, lcpElement: null, cls: 0};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__p6.lcp = entry.startTime;
    const el = entry.element;
    window.__p6.lcpElement = el
      ? el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
      : (entry.url || null);
  }
}).observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__p6.cls += entry.value;
  }
}).observe({type: 'layout-shift', buffered: true});
"""

# Changes the province select as a tap would, then waits for htmx to swap and the next frame.
PROVINCE_CHANGE_JS = """
async (code) => {
  const select = document.querySelector('#provinsi');
  const settled = new Promise((resolve) =>
    document.body.addEventListener('htmx:afterSettle', resolve, {once: true}));
  const started = performance.now();
  select.value = code;
  select.dispatchEvent(new Event('change', {bubbles: true}));
  await settled;
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const regencies = document.querySelectorAll('#kabupaten option').length;
  return {ms: performance.now() - started, regencies};
}
"""


@dataclass(frozen=True)
class Network:
    """A throttling profile: the RTT and bandwidth as named, sent as Lighthouse DevTools does."""

    label: str
    rtt_ms: float
    down_kbps: float
    up_kbps: float
    latency_factor: float = 3.75  # a cold request: DNS + TCP (+ TLS) + the request itself

    def cdp(self) -> dict[str, Any]:
        """``Network.emulateNetworkConditions`` parameters (throughput in bytes per second)."""
        return {
            "offline": False,
            "latency": self.rtt_ms * self.latency_factor,
            "downloadThroughput": self.down_kbps * 0.9 * 1024 / 8,
            "uploadThroughput": self.up_kbps * 0.9 * 1024 / 8,
        }

    def condition(self, cache: str) -> str:
        """The condition string of the JSON lines."""
        latency = self.rtt_ms * self.latency_factor
        kbps = self.down_kbps
        bandwidth = f"{kbps / 1024:g} Mbps" if kbps >= 1024 else f"{kbps:g} kbps"
        return (
            f"{self.label}: {self.rtt_ms:g} ms RTT ({latency:g} ms request latency), "
            f"{bandwidth} (x0.9), {CPU_SLOWDOWN}x CPU, "
            f"{VIEWPORT['width']}x{VIEWPORT['height']} @{SCALE}, {cache}; gunicorn on 127.0.0.1"
        )


# Lighthouse's throttling constants (mobileSlow4G and mobileRegular3G).
LIGHTHOUSE_MOBILE = Network("lighthouse mobile", 150, 1.6 * 1024, 750)
REGULAR_3G = Network("regular 3G", 300, 700, 700)
# An htmx request reuses the page's origin: one round trip, no connection set-up to emulate.
WARM_CONNECTION = Network("lighthouse mobile, warm connection", 150, 1.6 * 1024, 750, 1.0)


@dataclass(frozen=True)
class Target:
    """A page to measure: its figure name prefix and URL."""

    name: str
    url: str


@dataclass
class Traffic:
    """Requests and bytes seen on one CDP session since the last ``reset``."""

    urls: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)
    sent: int = 0
    failed: list[str] = field(default_factory=list)

    def reset(self) -> None:
        """Forget everything seen so far."""
        self.urls.clear()
        self.kinds.clear()
        self.sizes.clear()
        self.encodings.clear()
        self.cached.clear()
        self.failed.clear()
        self.sent = 0

    def on_request(self, params: dict[str, Any]) -> None:
        """``Network.requestWillBeSent``: count it unless it is a ``data:`` URL."""
        url = str(params["request"]["url"])
        if url.startswith("data:"):
            return
        self.sent += 1  # a redirect comes back with the same id and counts again
        self.urls[params["requestId"]] = url
        self.kinds[params["requestId"]] = str(params.get("type", "Other"))

    def on_response(self, params: dict[str, Any]) -> None:
        """``Network.responseReceived``: the response's Content-Encoding, for the listing."""
        headers = {key.lower(): value for key, value in params["response"]["headers"].items()}
        self.encodings[params["requestId"]] = str(headers.get("content-encoding", "identity"))

    def on_cache_hit(self, params: dict[str, Any]) -> None:
        """``Network.requestServedFromCache``: no round trip, so not counted as a request."""
        self.cached.add(params["requestId"])

    @property
    def count(self) -> int:
        """Requests that went to the network."""
        return self.sent - len(self.cached & set(self.urls))

    def on_finished(self, params: dict[str, Any]) -> None:
        """``Network.loadingFinished``: the bytes on the wire, headers included."""
        if params["requestId"] in self.urls:
            self.sizes[params["requestId"]] = int(params["encodedDataLength"])

    def on_failed(self, params: dict[str, Any]) -> None:
        """``Network.loadingFailed``: remembered for the log."""
        if params["requestId"] in self.urls:
            self.failed.append(self.urls[params["requestId"]])

    @property
    def transfer(self) -> int:
        """Total bytes received."""
        return sum(self.sizes.values())

    def by_kind(self) -> dict[str, int]:
        """Bytes per resource type (Document, Stylesheet, Script, Image, ...)."""
        totals: dict[str, int] = {}
        for request_id, size in self.sizes.items():
            kind = self.kinds.get(request_id, "Other")
            totals[kind] = totals.get(kind, 0) + size
        return totals

    def listing(self) -> list[str]:
        """One ``bytes type encoding path`` line per request, largest first."""
        rows = sorted(
            (
                self.sizes.get(rid, 0),
                self.kinds[rid],
                "cache" if rid in self.cached else self.encodings.get(rid, "?"),
                url.split("//", 1)[-1],
            )
            for rid, url in self.urls.items()
        )
        return [f"{size:>7} {kind:<10} {how:<8} {url}" for size, kind, how, url in rows[::-1]]


@dataclass(frozen=True)
class Load:
    """What one page load measured."""

    transfer: int
    requests: int
    lcp_ms: float
    cls: float
    lcp_element: str | None
    by_kind: dict[str, int]
    listing: list[str]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=None, help="loads per figure (3)")
    parser.add_argument("--quick", action="store_true", help="one load per figure")
    parser.add_argument("--no-photos", action="store_true", help="seed text only, no images")
    parser.add_argument("--prefix", default="bench_p6", help="database name")
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 3)
    return args


# -- the demo cooperative -------------------------------------------------------------------------


def photo_bytes(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG (gradient, texture and shapes), so the stored copy weighs like one."""
    gradient = Image.linear_gradient("L").rotate(seed * 37 % 360).resize((width, height))
    texture = Image.effect_noise((width, height), 24 + seed % 5 * 4)
    blurred = texture.filter(ImageFilter.GaussianBlur(0.8))
    image = Image.merge("RGB", (gradient, blurred, Image.blend(gradient, blurred, 0.5)))
    draw = ImageDraw.Draw(image)
    for index in range(12):
        x, y = (seed * 97 + index * 131) % width, (seed * 53 + index * 71) % height
        colour = ((seed * 40 + index * 20) % 255, (index * 60) % 255, (seed * 90) % 255)
        draw.ellipse((x, y, x + width // 6, y + height // 5), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()


def logo_bytes() -> bytes:
    """A simple PNG logo with transparency, as cooperatives upload them."""
    image = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (16, 16, 496, 496), fill=(179, 38, 30, 255), outline=(255, 255, 255, 255), width=12
    )
    draw.rectangle((160, 200, 352, 360), fill=(255, 255, 255, 255))
    draw.polygon([(140, 210), (256, 110), (372, 210)], fill=(250, 204, 21, 255))
    draw.text((190, 380), "KDMP", fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


BOARD = (
    (Position.KETUA, "Siti Rahmawati"),
    (Position.WAKIL_KETUA_USAHA, "Ahmad Fauzi"),
    (Position.SEKRETARIS, "Dewi Kartika"),
    (Position.BENDAHARA, "Budi Santoso"),
    (Position.KETUA_PENGAWAS, "Pak Wiryo Sudarmo"),
    (Position.ANGGOTA_PENGAWAS, "Rina Marlina"),
)
UNITS = (
    (UnitKind.SEMBAKO, "Gerai Sembako Merah Putih", UnitStatus.RUNNING, "Senin-Sabtu 07.00-17.00"),
    (UnitKind.SIMPAN_PINJAM, "Unit Simpan Pinjam", UnitStatus.RUNNING, "Senin-Jumat 08.00-14.00"),
    (UnitKind.APOTEK, "Apotek Desa", UnitStatus.PLANNED, None),
    (UnitKind.GUDANG, "Gudang dan Cold Storage", UnitStatus.RUNNING, "Setiap hari 06.00-18.00"),
)
PARAGRAPH = (
    "Koperasi berkumpul setiap bulan di balai desa untuk membahas harga gabah, stok pupuk dan "
    "rencana usaha bersama. Semua anggota boleh hadir dan menyampaikan usulan."
)


def place_in_village(databases: Databases, tenant_id: int) -> None:
    """Give the demo a real village address and the verified badge, as an approved one has."""
    with databases.platform_session() as session:
        village = regions.search_villages(session, "sukamaju")[0]
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        tenant.region_code = village.code
        tenant.region_label = regions.village_label(regions.get_path(session, village.code))
        tenant.verified_at = datetime.now(UTC)
        session.commit()


def fill_microsite(session: Session, storage: LocalStorage, schema: str, photos: bool) -> None:
    """Profile, board, units, news and products, with a logo and photos unless ``photos`` is off."""
    profile = microsite.save_profile(
        session,
        vision="Menjadi koperasi desa yang mandiri, terbuka dan menyejahterakan seluruh warga.",
        mission="Menyediakan kebutuhan pokok dengan harga wajar; membuka akses modal usaha; "
        "menampung hasil panen anggota dan menjualnya bersama.",
        village_potential="Sawah irigasi 180 ha, kebun kopi rakyat, peternakan kambing dan "
        "kerajinan anyaman bambu.",
        address="Jl. Raya Sukamaju No. 12, RT 02/RW 05",
        postal_code="43152",
        latitude=Decimal("-6.921500"),
        longitude=Decimal("106.927300"),
        phone="+62266123456",
        whatsapp="+6281234567890",
        email="koperasi@sukamaju.id",
    )
    microsite.save_legal_identifiers(
        session,
        microsite.LegalIdentifiers(
            sk_ahu_number="AHU-0001234.AH.01.29.TAHUN 2025",
            sk_ahu_date=date(2025, 7, 1),
            npwp=None,
            nib="1234567890123",
            nik_koperasi=None,
        ),
    )
    rows: list[BoardMember | BusinessUnit] = []
    for position, name in BOARD:
        rows.append(
            microsite.save_board_member(
                session,
                None,
                position=position,
                name=name,
                phone=None,
                is_village_official=False,
                is_related_to_board=False,
            )
        )
    for kind, name, status, hours in UNITS:
        rows.append(
            microsite.save_unit(
                session,
                None,
                kind=kind,
                name=name,
                status=status,
                description=PARAGRAPH,
                opening_hours=hours,
            )
        )
    posts = [
        microsite.save_news(session, None, title=title, body=f"{PARAGRAPH}\n\n{PARAGRAPH}")
        for title in ("Rapat anggota tahunan", "Gerai sembako dibuka", "Panen raya bersama")
    ]
    for name, price in (("Beras Pandan Wangi 5 kg", 78_000), ("Kopi Robusta 250 g", 35_000)):
        microsite.save_product(
            session,
            None,
            name=name,
            description=PARAGRAPH,
            price=price,
            unit="bungkus",
            seller="Koperasi",
            is_available=True,
        )
    if not photos:
        return
    microsite.set_photo(session, storage, profile, clean_image(logo_bytes()), schema_name=schema)
    for index, row in enumerate(rows):
        picture = clean_image(photo_bytes(1600, 1200, index), max_side=microsite.PHOTO_SIDE)
        microsite.set_photo(session, storage, row, picture, schema_name=schema)
    for index, post in enumerate(posts[:2]):
        picture = clean_image(photo_bytes(1600, 1200, 20 + index), max_side=microsite.PHOTO_SIDE)
        microsite.add_news_photos(session, storage, post, [picture], schema_name=schema)


def seed(settings: Settings, databases: Databases, photos: bool) -> None:
    """Regions, the demo's accounts (saas.seed), then its microsite and summary row."""
    with databases.platform_engine.begin() as connection:
        if count_regions(connection) == 0:
            started = time.perf_counter()
            loaded = load_regions(connection)
            log(f"loaded {loaded} regions in {time.perf_counter() - started:.1f}s")
    for line in seed_demo(databases, settings, DEMO_PASSWORD):
        log(f"seed: {line}")
    with databases.platform_session() as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == DEMO_SLUG)).one()
        tenant_id, shard, schema = tenant.id, tenant.shard, tenant.schema_name
    assert schema is not None
    place_in_village(databases, tenant_id)
    storage = LocalStorage(settings.instance_dir / "uploads")
    with databases.tenant_session(shard, schema) as session:
        fill_microsite(session, storage, schema, photos)
        session.commit()
        page = get_public_page(session)
    with databases.platform_session() as session:
        refresh_tenant_summary(session, tenant_id, page)
        session.commit()
    log(f"seeded the demo microsite ({schema}, photos: {photos})")


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, host: str, timeout: float = 5.0) -> int:
    """GET ``url`` with a Host header; the status code."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        response.read()
        return int(response.status)


def start_gunicorn(settings: Settings, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the project's config on 127.0.0.1:port (2 sync workers), as make run."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "GUYUB_INSTANCE_DIR": str(settings.instance_dir),
        "BASE_DOMAIN": "localhost",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_PORT": str(port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "SCHEMA_POOL_TARGET": "0",
        "LOG_LEVEL": "warning",
    }
    env.pop("GUYUB_SHARDS", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log_path.open("wb") as output:
        return subprocess.Popen(
            [str(gunicorn), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until_up(server: subprocess.Popen[bytes], port: int, deadline_s: float = 30) -> None:
    """Poll /healthz until it answers 200; raise if gunicorn exits or time runs out."""
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if get(f"http://127.0.0.1:{port}/healthz", f"localhost:{port}", 2) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def warm_server(port: int, targets: Sequence[Target], rounds: int = 8) -> None:
    """Untimed requests so each worker has its pools, templates and caches ready."""
    for _ in range(rounds):
        for target in targets:
            host = target.url.split("//", 1)[1].split("/", 1)[0]
            path = "/" + target.url.split("//", 1)[1].split("/", 1)[1]
            get(f"http://127.0.0.1:{port}{path}", host)


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM gunicorn (graceful), then kill it if it lingers."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=25)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- the browser ----------------------------------------------------------------------------------


def phone_context(browser: Browser) -> BrowserContext:
    """A fresh phone: empty cache, no cookies, the LCP/CLS observer installed."""
    context = browser.new_context(
        viewport=VIEWPORT,  # type: ignore[arg-type]
        device_scale_factor=SCALE,
        is_mobile=True,
        has_touch=True,
        user_agent=MOBILE_UA,
        locale="id-ID",
    )
    context.add_init_script(PERF_OBSERVER_JS)
    return context


def instrument(page: Page, network: Network, *, cache_disabled: bool) -> tuple[CDPSession, Traffic]:
    """A CDP session with throttling, CPU slowdown and the traffic counters attached."""
    session = page.context.new_cdp_session(page)
    traffic = Traffic()
    session.on("Network.requestWillBeSent", traffic.on_request)
    session.on("Network.responseReceived", traffic.on_response)
    session.on("Network.requestServedFromCache", traffic.on_cache_hit)
    session.on("Network.loadingFinished", traffic.on_finished)
    session.on("Network.loadingFailed", traffic.on_failed)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": cache_disabled})
    session.send("Network.emulateNetworkConditions", network.cdp())
    session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return session, traffic


def settle(page: Page) -> None:
    """Wait for the network to go quiet (lazy images too), then a moment for late paints."""
    page.wait_for_load_state("networkidle", timeout=60_000)
    page.wait_for_timeout(300)


def read_load(page: Page, traffic: Traffic) -> Load:
    """The figures of the page as it stands."""
    perf: dict[str, Any] = page.evaluate("window.__p6")
    if traffic.failed:
        log(f"  failed requests: {traffic.failed}")
    return Load(
        transfer=traffic.transfer,
        requests=traffic.count,
        lcp_ms=float(perf["lcp"] or 0.0),
        cls=float(perf["cls"]),
        lcp_element=perf["lcpElement"],
        by_kind=traffic.by_kind(),
        listing=traffic.listing(),
    )


def cold_load(browser: Browser, url: str, network: Network) -> Load:
    """One cold load of ``url`` in a fresh context, cache disabled, under ``network``."""
    context = phone_context(browser)
    try:
        page = context.new_page()
        _session, traffic = instrument(page, network, cache_disabled=True)
        page.goto(url, wait_until="load", timeout=60_000)
        settle(page)
        return read_load(page, traffic)
    finally:
        context.close()


def repeat(runs: int, measure: Callable[[], Load]) -> list[Load]:
    """``measure`` ``runs`` times."""
    return [measure() for _ in range(runs)]


# -- figures --------------------------------------------------------------------------------------


def emit_figure(
    name: str, value: float, unit: str, budget: float, condition: str, **extra: Any
) -> None:
    """One P6 line; a warning on standard error when over budget."""
    passed = value <= budget
    emit(
        {
            "id": extra.pop("budget_id", "P6"),
            "name": name,
            "value": value,
            "unit": unit,
            "budget": budget,
            "pass": passed,
            "condition": condition,
            **extra,
        }
    )
    if not passed:
        log(f"WARNING: {name} = {value} {unit} is over its budget of {budget} {unit}")


def emit_cold(target: Target, loads: list[Load], condition: str) -> None:
    """Transfer, requests, LCP and CLS of the lighthouse-mobile loads (medians)."""
    typical = sorted(loads, key=lambda load: load.transfer)[len(loads) // 2]
    log(f"{target.name}: requests of a typical cold load (bytes, type, URL):")
    for line in typical.listing:
        log(f"  {line}")
    runs = {"runs": len(loads)}
    emit_figure(
        f"{target.name}_transfer",
        round(p50([load.transfer for load in loads])),
        "bytes",
        BUDGET_TRANSFER,
        condition,
        by_type=typical.by_kind,
        **runs,
    )
    emit_figure(
        f"{target.name}_requests",
        round(p50([load.requests for load in loads])),
        "requests",
        BUDGET_REQUESTS,
        condition,
        **runs,
    )
    emit_figure(
        f"{target.name}_lcp",
        round(p50([load.lcp_ms for load in loads])),
        "ms",
        BUDGET_LCP_MS,
        condition,
        lcp_element=typical.lcp_element,
        samples=[round(load.lcp_ms) for load in loads],
        **runs,
    )
    emit_figure(
        f"{target.name}_cls",
        round(p50([load.cls for load in loads]), 4),
        "score",
        BUDGET_CLS,
        condition,
        **runs,
    )


def measure_cold(browser: Browser, target: Target, runs: int) -> None:
    """P6 for one page: lighthouse mobile (all figures), then regular 3G (LCP)."""
    log(f"{target.name}: {runs} cold loads of {target.url} on {LIGHTHOUSE_MOBILE.label}")
    loads = repeat(runs, lambda: cold_load(browser, target.url, LIGHTHOUSE_MOBILE))
    emit_cold(target, loads, LIGHTHOUSE_MOBILE.condition("cold cache"))
    log(f"{target.name}: {runs} cold loads on {REGULAR_3G.label}")
    slow = repeat(runs, lambda: cold_load(browser, target.url, REGULAR_3G))
    emit_figure(
        f"{target.name}_lcp_regular_3g",
        round(p50([load.lcp_ms for load in slow])),
        "ms",
        BUDGET_LCP_3G_MS,
        REGULAR_3G.condition("cold cache"),
        lcp_element=slow[0].lcp_element,
        samples=[round(load.lcp_ms) for load in slow],
        runs=runs,
    )


def warm_next_page(browser: Browser, first: str, later: str) -> Load:
    """Load ``first`` with the cache on, then follow to ``later``; the second load's figures."""
    context = phone_context(browser)
    try:
        page = context.new_page()
        _session, traffic = instrument(page, LIGHTHOUSE_MOBILE, cache_disabled=False)
        page.goto(first, wait_until="load", timeout=60_000)
        settle(page)
        traffic.reset()
        page.goto(later, wait_until="load", timeout=60_000)
        settle(page)
        return read_load(page, traffic)
    finally:
        context.close()


def measure_warm(browser: Browser, first: str, later: str, runs: int) -> None:
    """P6b: a later microsite page (news) with what the home page left in the cache."""
    log(f"P6b: {runs} x {first} then {later} with the cache on")
    loads = repeat(runs, lambda: warm_next_page(browser, first, later))
    typical = sorted(loads, key=lambda load: load.transfer)[len(loads) // 2]
    for line in typical.listing:
        log(f"  {line}")
    emit_figure(
        "microsite_news_warm_transfer",
        round(p50([load.transfer for load in loads])),
        "bytes",
        BUDGET_WARM_TRANSFER,
        LIGHTHOUSE_MOBILE.condition("warm cache after the home page"),
        budget_id="P6b",
        requests=round(p50([load.requests for load in loads])),
        by_type=typical.by_kind,
        runs=runs,
    )


def measure_htmx(browser: Browser, url: str, runs: int) -> None:
    """P6b: change the province on /daftar; time to the swapped list painted, and its bytes."""
    context = phone_context(browser)
    codes = ["32", "33", "35", "36", "51", "52", "73", "11"]
    try:
        page = context.new_page()
        _session, traffic = instrument(page, WARM_CONNECTION, cache_disabled=False)
        page.goto(url, wait_until="load", timeout=60_000)
        settle(page)
        page.wait_for_function("window.htmx !== undefined")
        page.evaluate(PROVINCE_CHANGE_JS, "31")  # untimed: first use of htmx's request path
        timings: list[float] = []
        sizes: list[int] = []
        for index in range(max(runs, 3)):
            traffic.reset()
            result: dict[str, Any] = page.evaluate(PROVINCE_CHANGE_JS, codes[index % len(codes)])
            settle(page)
            timings.append(float(result["ms"]))
            sizes.append(traffic.transfer)
            log(
                f"  province {codes[index % len(codes)]}: {result['ms']:.0f} ms, "
                f"{traffic.transfer} bytes, {result['regencies']} options"
            )
    finally:
        context.close()
    condition = WARM_CONNECTION.condition("warm cache, page already loaded")
    emit_figure(
        "daftar_province_change_to_paint",
        round(p50(timings)),
        "ms",
        WARM_CONNECTION.rtt_ms + INTERACTION_SLACK_MS,
        condition,
        budget_id="P6b",
        samples=[round(value) for value in timings],
    )
    emit_figure(
        "daftar_province_change_transfer",
        round(p50(sizes)),
        "bytes",
        BUDGET_WARM_TRANSFER,
        condition,
        budget_id="P6b",
    )


def measure_all(port: int, runs: int) -> None:
    """Launch Chromium and take every figure."""
    targets = (
        Target("microsite_home", f"http://demo.localhost:{port}/"),
        Target("daftar", f"http://localhost:{port}/daftar"),
    )
    warm_server(port, targets)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            cold_load(browser, targets[0].url, LIGHTHOUSE_MOBILE)  # untimed: warms Chromium
            for target in targets:
                measure_cold(browser, target, runs)
            measure_warm(browser, targets[0].url, f"http://demo.localhost:{port}/berita", runs)
            measure_htmx(browser, targets[1].url, runs)
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, serve, measure, stop."""
    args = parse_args(argv)
    if not CHROMIUM.exists():
        log(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
        return 1
    started = time.perf_counter()
    settings, databases = prepare_platform(args.prefix)
    try:
        seed(settings, databases, photos=not args.no_photos)
    finally:
        databases.dispose()
    port = free_port()
    log_path = BENCH_ROOT / "p6_gunicorn.log"
    server = start_gunicorn(settings, port, log_path)
    try:
        wait_until_up(server, port)
        log(f"gunicorn up on 127.0.0.1:{port} (log: {log_path})")
        measure_all(port, args.runs)
    finally:
        stop(server)
    log(f"P6 done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
