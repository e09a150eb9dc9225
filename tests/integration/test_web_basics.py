"""Security headers, static files, health, and pages that must never embed script."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import logging
import re
from dataclasses import replace

import pytest
from PIL import Image

from saas import create_app
from saas.mail import ConsoleMailer, Email
from saas.observability import JsonFormatter
from saas.tenants.models import Tenant
from tests.factories import count_statements, login, text

PAGES = [
    (None, "/"),
    (None, "/masuk"),
    (None, "/lupa-sandi"),
    ("alpha", "/"),
    ("alpha", "/masuk"),
    ("alpha", "/kelola"),
    ("alpha", "/kelola/tim"),
    ("alpha", "/tidak-ada"),
]


@pytest.mark.parametrize(("slug", "path"), PAGES)
def test_security_headers_on_every_page(client_for, slug, path):
    client = client_for(slug)
    if slug:
        login(client, "ana@kopalpha.id")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


@pytest.mark.parametrize(("slug", "path"), PAGES)
def test_pages_have_no_inline_script_or_style(client_for, slug, path):
    client = client_for(slug)
    if slug:
        login(client, "ana@kopalpha.id")
    html = text(client.get(path))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\sstyle=", html)


def test_signed_in_pages_are_not_cached(alpha):
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/kelola").headers["Cache-Control"] == "private, no-store"


def test_static_assets_are_hashed_compressed_and_cached_for_a_year(platform):
    html = text(platform.get("/daftar"))
    url = re.search(r'src="(/static/vendor/htmx\.min\.[0-9a-f]{12}\.js)"', html).group(1)
    response = platform.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert len(gzip.decompress(response.data)) > len(response.data)
    plain = platform.get(url)
    assert "Content-Encoding" not in plain.headers
    assert b"htmx" in plain.data


def test_pages_embed_the_one_stylesheet_their_csp_allows_and_no_unused_script(alpha):
    response = alpha.get("/masuk")
    html = text(response)
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL).group(1)
    assert ":root" in style
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    csp = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp
    assert "<script" not in html  # htmx only where a page uses it (the registration wizard)


def test_pages_are_sent_compressed_to_browsers_that_accept_it(alpha):
    response = alpha.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Koperasi Desa Merah Putih Alpha" in gzip.decompress(response.data).decode()
    assert "Content-Encoding" not in alpha.get("/").headers


def test_healthz_reports_every_database(platform, app):
    response = platform.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.data)
    assert body == {"status": "ok", "databases": {"platform": "ok", "main": "ok", "s2": "ok"}}


def test_healthz_answers_on_any_host_name(app, db):
    response = app.test_client().get("/healthz", headers={"Host": "10.0.0.5:8000"})
    assert response.status_code == 200


def test_forms_use_the_right_mobile_keyboards_and_autocomplete(alpha, platform):
    html = text(platform.get("/lupa-sandi"))
    assert re.search(r'<input[^>]*type="email"[^>]*inputmode="email"', html) or re.search(
        r'<input[^>]*inputmode="email"[^>]*type="email"', html
    )
    # A cooperative's page also takes a member's phone or number: the sign-in's own field.
    member_html = text(alpha.get("/lupa-sandi"))
    assert 'autocomplete="username"' in member_html
    assert 'autocapitalize="none"' in member_html
    login_html = text(alpha.get("/masuk"))
    assert 'autocomplete="current-password"' in login_html
    assert 'autocomplete="username"' in login_html


def test_errors_are_announced_next_to_the_field(alpha):
    html = text(login(alpha, "ana@kopalpha.id", "wrong"))
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="password-error"' in html
    assert 'id="password-error"' in html


def test_outbox_page_is_404_when_real_mail_is_configured(platform):
    assert platform.get("/dev/outbox").status_code == 404


def test_each_request_is_logged_with_its_id_and_tenant_but_no_secrets(alpha, caplog):
    caplog.set_level(logging.INFO, logger="saas.request")
    response = alpha.get("/atur-sandi/secret-token-value")
    records = [r for r in caplog.records if r.name == "saas.request"]
    assert records
    record = records[-1]
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.tenant == "alpha"
    assert record.route == "/atur-sandi/<token>"
    assert "secret-token-value" not in JsonFormatter().format(record)


def test_a_well_formed_request_id_from_the_proxy_is_kept(alpha):
    response = alpha.get("/", headers={"X-Request-ID": "lb-1234567890"})
    assert response.headers["X-Request-ID"] == "lb-1234567890"
    forged = alpha.get("/", headers={"X-Request-ID": "<script>"})
    assert forged.headers["X-Request-ID"] != "<script>"


def test_development_outbox_shows_kept_mail_to_this_machine_only(app, settings, tmp_path):
    dev = create_app(replace(settings, mail_backend="console", instance_dir=tmp_path))
    mailer = dev.extensions["guyub.mailer"]
    assert isinstance(mailer, ConsoleMailer)
    mailer.send(Email(to="ani@kopbeta.id", subject="Atur kata sandi", text="http://x/atur-sandi/t"))
    client = dev.test_client()
    local = client.get("/dev/outbox", headers={"Host": "localhost"})
    assert local.status_code == 200
    assert "Atur kata sandi" in local.get_data(as_text=True)
    remote = client.get(
        "/dev/outbox", headers={"Host": "localhost"}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert remote.status_code == 404
    dev.extensions["guyub.databases"].dispose()


def test_robots_and_sitemap_on_a_cooperative_and_on_the_platform(client_for):
    robots = client_for("alpha").get("/robots.txt")
    assert robots.headers["Content-Type"].startswith("text/plain")
    assert "Disallow: /kelola" in text(robots)
    assert "Sitemap: http://alpha.localhost/sitemap.xml" in text(robots)
    sitemap = client_for("alpha").get("/sitemap.xml")
    assert sitemap.headers["Content-Type"].startswith("application/xml")
    assert "<loc>http://alpha.localhost/</loc>" in text(sitemap)
    platform_map = text(client_for(None).get("/sitemap.xml"))
    assert "<loc>http://localhost/direktori</loc>" in platform_map
    assert "alpha.localhost" not in platform_map


def test_the_microsite_declares_its_canonical_url_and_link_preview(client_for):
    html = text(client_for("alpha").get("/"))
    assert '<link rel="canonical" href="http://alpha.localhost/">' in html
    assert '<meta property="og:title" content="Koperasi Desa Merah Putih Alpha">' in html


def test_the_link_preview_image_is_a_1200_by_630_png(client_for):
    html = text(client_for("alpha").get("/"))
    assert '<meta property="og:image" content="http://alpha.localhost/pratinjau.png">' in html
    response = client_for("alpha").get("/pratinjau.png")
    assert response.headers["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)
    assert client_for(None).get("/pratinjau.png").status_code == 404


def test_the_microsite_home_runs_at_most_four_sql_statements(app, client_for, db):
    """Budget P3: tenant resolution included. Counted on every engine the request may use."""
    response, statements = count_statements(db, lambda: client_for("alpha").get("/"))
    assert response.status_code == 200
    assert 1 <= len(statements) <= 4, statements  # resolution, profile, board, units


def test_anonymous_visitors_share_the_home_page_but_officers_get_their_own(client_for, alpha, db):
    first = client_for("alpha").get("/")
    assert "Cookie" in first.headers["Vary"]
    response, statements = count_statements(db, lambda: client_for("alpha").get("/"))
    assert response.data == first.data
    assert len(statements) == 1  # resolving the tenant; the page itself was kept
    login(alpha, "ana@kopalpha.id")
    own = text(alpha.get("/"))
    assert 'action="/keluar"' in own  # the signed-in menu: never stored, never shared
    assert 'action="/keluar"' not in text(client_for("alpha").get("/"))


def test_an_id_beyond_the_database_range_is_not_found(alpha):
    login(alpha, "bambang@kopalpha.id")
    for url in ("/kelola/anggota/{}", "/kelola/jurnal/1/lampiran/{}", "/berita/{}"):
        assert alpha.get(url.format(2**63)).status_code == 404
        assert alpha.get(url.format(2**63 - 1)).status_code == 404


def test_the_landing_page_leads_officers_and_members_to_their_cooperatives_sign_in(platform):
    landing = text(platform.get("/"))
    assert 'action="/cari-koperasi"' in landing
    assert "loans" not in landing.lower()  # nothing the product does not do yet
    by_name = text(platform.get("/cari-koperasi?q=merah+putih+alpha"))
    assert "Koperasi Desa Merah Putih Alpha" in by_name
    assert 'href="http://alpha.localhost/masuk"' in by_name
    assert "Beta" not in by_name
    assert "Type at least three letters." in text(platform.get("/cari-koperasi?q=al"))
    assert "No cooperative matches" in text(platform.get("/cari-koperasi?q=zzzz"))


def test_a_cooperative_is_found_by_its_village(platform, db, tenants):
    with db.platform_session() as session:
        tenant = session.get(Tenant, tenants.b.tenant.id)
        tenant.region_label = "Desa Cibeureum, Kec. Cisarua, Kabupaten Bogor, Jawa Barat"
        session.commit()
    found = text(platform.get("/cari-koperasi?q=cibeureum"))
    assert "Koperasi Desa Merah Putih Beta" in found
    assert 'href="http://beta.localhost/masuk"' in found


def test_an_amount_is_typed_as_people_write_it_with_the_number_keyboard(alpha, tenants):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get(f"/kelola/anggota/{tenants.a.members[0].id}/simpanan"))
    amount = re.search(r'<input[^>]*name="setor-amount"[^>]*>', page)
    assert amount is not None
    # A number input would refuse "1.250.000"; a text input with the numeric keyboard takes it.
    assert 'type="text"' in amount.group(0)
    assert 'inputmode="numeric"' in amount.group(0)


def test_a_field_names_only_the_descriptions_it_has(alpha, tenants):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get(f"/kelola/anggota/{tenants.a.members[0].id}"))
    assert "<input" in page
    assert '="None"' not in page  # no aria-invalid or aria-describedby pointing at nothing
    refused = text(alpha.post("/masuk", data={"identifier": "", "password": ""}))
    assert '="None"' not in refused


def test_a_public_page_served_whole_from_the_cache_leaves_the_access_log_to_the_proxy(
    client_for, db, caplog
):
    caplog.set_level(logging.INFO, logger="saas.request")
    visitor = client_for("alpha")
    first = visitor.get("/pengurus")  # rendered: logged
    visitor.get("/pengurus")  # from the cache
    visitor.get("/pengurus", headers={"If-None-Match": first.headers["ETag"]})  # 304
    logged = [r for r in caplog.records if r.name == "saas.request" and r.route == "/pengurus"]
    assert [r.status for r in logged] == [200]
