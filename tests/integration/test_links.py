"""Links that leave the page (emails, QR codes, handoffs) name the cooperative's canonical host
and the configured scheme, whatever Host header the request came with."""

from __future__ import annotations

import re

from flask import g

from saas.blueprints.member_cards import card_url
from saas.blueprints.registration.views import handoff_url
from tests.factories import csrf_token, login, text
from tests.integration.test_mail_flows import invite, link_in
from tests.queued import run_queued_reset_mail

ODD_HOST = "http://alpha.localhost:8443"


def _from_odd_port(client_for):
    client = client_for("alpha")
    client.base_url = ODD_HOST
    return client


def test_a_reset_link_names_the_canonical_host(client_for, outbox):
    client = _from_odd_port(client_for)
    token = csrf_token(client, "/lupa-sandi")
    client.post("/lupa-sandi", data={"email": "bambang@kopalpha.id", "csrf_token": token})
    assert run_queued_reset_mail(client.application) == 1
    assert link_in(outbox[0]).startswith("http://alpha.localhost/atur-sandi/")


def test_an_invitation_link_names_the_canonical_host(client_for, outbox):
    client = _from_odd_port(client_for)
    login(client, "ana@kopalpha.id")
    assert invite(client, "Heru Kasir", "heru@kopalpha.id", "staff").status_code == 302
    assert link_in(outbox[0]).startswith("http://alpha.localhost/undangan/")


def test_a_member_access_link_names_the_canonical_host(client_for, tenants):
    client = _from_odd_port(client_for)
    login(client, "ana@kopalpha.id")
    member = tenants.a.members[0]
    path = f"/kelola/anggota/{member.id}"
    page = text(client.post(f"{path}/akses", data={"csrf_token": csrf_token(client, path)}))
    links = re.findall(r'value="(http[^"]+/akses/[^"]+)"', page)
    assert links
    assert all(link.startswith("http://alpha.localhost/akses/") for link in links)


def test_a_member_card_code_and_a_handoff_name_the_canonical_host(app, db, tenants):
    a = tenants.a
    with app.test_request_context("/", base_url=ODD_HOST):
        g.tenant = a.tenant
        assert card_url(a.members[0]).startswith("http://alpha.localhost/kartu/")
    with app.test_request_context("/", base_url="http://localhost:8443"):
        g.tenant = None
        link = handoff_url(a.tenant, a.users["ketua"])
        assert link.startswith("http://alpha.localhost/masuk/lanjut/")


def test_the_microsites_canonical_link_preview_and_sitemap_name_the_canonical_host(client_for):
    client = _from_odd_port(client_for)
    home = text(client.get("/"))
    assert '<link rel="canonical" href="http://alpha.localhost/">' in home
    assert '<meta property="og:url" content="http://alpha.localhost/">' in home
    assert '<meta property="og:image" content="http://alpha.localhost/pratinjau.png">' in home
    assert ":8443" not in home
    assert "Sitemap: http://alpha.localhost/sitemap.xml" in text(client.get("/robots.txt"))
    sitemap = text(client.get("/sitemap.xml"))
    assert "<loc>http://alpha.localhost/</loc>" in sitemap
    assert ":8443" not in sitemap
