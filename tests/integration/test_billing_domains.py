"""A cooperative's own web address: named by the chair on the paid plan, checked over HTTP by
asking the address for a token only that cooperative's pending address answers with, resolved
once verified, and sent on to the subdomain (never locked) when the plan no longer covers it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from saas.tenants import domains
from saas.tenants.models import DomainKind, TenantDomain
from tests.conftest import free_port
from tests.factories import csrf_token, login, put_on_free_plan, text

PAGE = "/kelola/langganan/domain"


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


@pytest.fixture
def reachable(app, monkeypatch) -> Iterator[int]:
    """The application served over HTTP on loopback, where the check of an address lands (as
    the address's DNS record would send it to the platform's servers)."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(
        app.extensions, "guyub.domain_fetch", domains.http_fetch(f"127.0.0.1:{port}")
    )
    yield port
    server.shutdown()


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, PAGE)})


def custom_rows(db, host: str) -> list[TenantDomain]:
    with db.platform_session() as session:
        query = select(TenantDomain).where(
            TenantDomain.kind == DomainKind.CUSTOM, TenantDomain.host == host
        )
        return list(session.scalars(query))


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("koperasisukamaju.id", "koperasisukamaju.id"),
        ("  https://KopSukamaju.ID/berita?x=1 ", "kopsukamaju.id"),
        ("www.kop-sukamaju.co.id.", "www.kop-sukamaju.co.id"),
        ("koperasi-suka-ñ.id", "xn--koperasi-suka--3nb.id"),
    ],
)
def test_an_address_is_read_as_a_host_name_in_lower_case_ascii(typed, host):
    assert domains.normalize_domain(typed, "guyub.id") == host


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("desa", "invalid"),
        ("kop sukamaju.id", "invalid"),
        ("-kop.id", "invalid"),
        ("kop_sukamaju.id", "invalid"),
        ("10.0.0.1", "invalid"),
        ("guyub.id", "ours"),
        ("sukamaju.guyub.id", "ours"),
        ("koperasi.test", "reserved"),
        ("kop.localhost", "reserved"),
    ],
)
def test_an_address_that_cannot_be_the_cooperatives_own_is_refused(typed, code):
    with pytest.raises(domains.DomainError) as refused:
        domains.normalize_domain(typed, "guyub.id")
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("host", "apex"),
    [
        ("kopsukamaju.id", True),
        ("kopsukamaju.desa.id", True),
        ("kopsukamaju.co.id", True),
        ("www.kopsukamaju.id", False),
        ("www.kopsukamaju.co.id", False),
        ("koperasi.sukamaju.desa.id", False),
    ],
)
def test_a_registered_name_is_told_from_a_name_under_it(host, apex):
    """DNS allows a CNAME only under a registered name: the page asks for an ALIAS there."""
    assert domains.is_apex(host) is apex


def test_the_address_is_named_checked_and_then_opens_the_cooperatives_site(
    ketua, client_for, db, reachable
):
    visitor = client_for(None)
    assert post(ketua, PAGE, {"host": "KopAlpha.id"}).status_code == 303
    waiting = text(ketua.get(PAGE))
    assert "ALIAS (ANAME)" in waiting
    assert "use www.kopalpha.id instead, with a CNAME record" in waiting
    assert "alpha.localhost" in waiting
    assert visitor.get("/", base_url="http://kopalpha.id").status_code == 404  # not yet
    assert visitor.get("/tls/ask?domain=kopalpha.id").status_code == 404

    checked = post(ketua, f"{PAGE}/periksa")

    assert checked.status_code == 303
    assert "kopalpha.id now opens the cooperative" in text(ketua.get(PAGE))
    [row] = custom_rows(db, "kopalpha.id")
    assert row.verified_at is not None
    home = visitor.get("/", base_url="http://kopalpha.id")
    assert home.status_code == 200
    assert "Koperasi Desa Merah Putih Alpha" in text(home)
    assert visitor.get("/tls/ask?domain=kopalpha.id").status_code == 200


def test_the_check_answers_only_for_an_address_waiting_to_be_checked(ketua, client_for, app):
    visitor = client_for(None)
    post(ketua, PAGE, {"host": "kopalpha.id"})
    answer = visitor.get(domains.CHALLENGE_PATH, base_url="http://kopalpha.id")
    assert answer.status_code == 200
    secret = app.extensions["guyub.settings"].secret_key
    with app.app_context():
        tenant_id = custom_tenant_id(app, "kopalpha.id")
    assert answer.get_data(as_text=True) == domains.challenge_token(
        secret, tenant_id, "kopalpha.id"
    )
    stranger = visitor.get(domains.CHALLENGE_PATH, base_url="http://nobody.id")
    assert stranger.status_code == 404


def custom_tenant_id(app, host: str) -> int:
    databases = app.extensions["guyub.databases"]
    with databases.platform_session() as session:
        return int(session.scalar(select(TenantDomain.tenant_id).where(TenantDomain.host == host)))


def test_an_address_that_does_not_reach_the_platform_stays_unverified(ketua, db, app, monkeypatch):
    closed = free_port()  # nothing listens there: the address points somewhere else
    monkeypatch.setitem(
        app.extensions, "guyub.domain_fetch", domains.http_fetch(f"127.0.0.1:{closed}")
    )
    post(ketua, PAGE, {"host": "kopalpha.id"})

    post(ketua, f"{PAGE}/periksa")

    assert "kopalpha.id does not reach Guyub yet." in text(ketua.get(PAGE))
    [row] = custom_rows(db, "kopalpha.id")
    assert row.verified_at is None


def test_another_cooperatives_address_is_refused_on_the_form(ketua, client_for, db):
    post(ketua, PAGE, {"host": "kopalpha.id"})
    beta = client_for("beta")
    login(beta, "ani@kopbeta.id")

    refused = post(beta, PAGE, {"host": "kopalpha.id"})

    assert refused.status_code == 409
    assert "Another cooperative uses that address already." in text(refused)
    assert len(custom_rows(db, "kopalpha.id")) == 1


def test_a_bad_address_is_refused_on_the_form_and_nothing_is_kept(ketua, db):
    refused = post(ketua, PAGE, {"host": "alpha.localhost"})
    assert refused.status_code == 422
    assert "address at Guyub. Enter your own." in text(refused)
    assert custom_rows(db, "alpha.localhost") == []


def test_on_the_free_plan_the_address_needs_the_upgrade_and_nothing_is_kept(ketua, db, tenants):
    put_on_free_plan(db, tenants.a.tenant)
    assert "Your own web address needs the Koperasi plan." in text(ketua.get(PAGE))

    refused = post(ketua, PAGE, {"host": "kopalpha.id"})

    assert refused.status_code == 402
    assert custom_rows(db, "kopalpha.id") == []


def test_when_the_plan_lapses_visitors_are_sent_on_to_the_subdomain(
    ketua, client_for, db, tenants, reachable
):
    post(ketua, PAGE, {"host": "kopalpha.id"})
    post(ketua, f"{PAGE}/periksa")
    put_on_free_plan(db, tenants.a.tenant)
    visitor = client_for(None)

    sent_on = visitor.get("/berita?halaman=2", base_url="http://kopalpha.id")

    assert sent_on.status_code == 302
    assert sent_on.headers["Location"] == "http://alpha.localhost/berita?halaman=2"
    assert visitor.get("/tls/ask?domain=kopalpha.id").status_code == 404
    page = text(ketua.get(PAGE))
    assert "visitors are sent on to alpha.localhost" in page
    assert len(custom_rows(db, "kopalpha.id")) == 1  # kept, back as soon as the plan is


def test_the_chair_stops_using_the_address_and_the_subdomain_stays(ketua, client_for, db):
    post(ketua, PAGE, {"host": "kopalpha.id"})

    assert post(ketua, f"{PAGE}/hapus").status_code == 303

    assert custom_rows(db, "kopalpha.id") == []
    assert client_for("alpha").get("/").status_code == 200


@pytest.mark.parametrize("who", ["citra@kopalpha.id", "dedi@kopalpha.id"])
def test_only_the_chair_and_the_treasurer_name_the_address(alpha, db, who):
    login(alpha, who)
    refused = alpha.post(PAGE, data={"host": "kopalpha.id", "csrf_token": csrf_token(alpha, "/")})
    assert refused.status_code in {302, 403}
    assert custom_rows(db, "kopalpha.id") == []
