"""Two complete languages: how the locale is chosen, the switcher, and the catalogs."""

from __future__ import annotations

import pytest

from saas.accounts.models import TenantUser
from saas.tenants.models import Tenant
from saas.translations_tool import POT, extract_fresh, incomplete_entries, load, message_ids
from tests.factories import csrf_token, login, text


def test_indonesian_is_the_default(client_for):
    response = client_for("alpha", lang=None).get("/masuk")
    assert '<html lang="id">' in text(response)
    assert "Masuk" in text(response)


def test_accept_language_decides_on_the_platform_site(client_for):
    response = client_for(None, lang=None).get("/masuk", headers={"Accept-Language": "en-GB,en"})
    assert '<html lang="en">' in text(response)
    assert "Sign in" in text(response)


def test_tenant_default_language_beats_accept_language(client_for, db, tenants):
    with db.platform_session() as session:
        session.get(Tenant, tenants.a.tenant.id).default_locale = "en"
        session.commit()
    english = client_for("alpha", lang=None).get("/masuk", headers={"Accept-Language": "id"})
    assert '<html lang="en">' in text(english)
    indonesian = client_for("beta", lang=None).get("/masuk", headers={"Accept-Language": "en"})
    assert '<html lang="id">' in text(indonesian)


def test_the_cookie_beats_the_tenant_default(client_for):
    response = client_for("alpha", lang="en").get("/masuk")
    assert '<html lang="en">' in text(response)


def test_switcher_link_sets_the_cookie_and_returns_to_the_page(client_for):
    client = client_for("alpha", lang=None)
    response = client.get("/bahasa/en?next=/masuk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk"
    assert "bahasa=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in text(client.get("/masuk"))


def test_switcher_never_redirects_to_another_host(client_for):
    response = client_for("alpha").get("/bahasa/id?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_unknown_language_is_404(client_for):
    assert client_for("alpha").get("/bahasa/fr").status_code == 404


def test_signed_in_choice_is_saved_on_the_account_and_beats_the_cookie(client_for, db, tenants):
    client = client_for("alpha", lang="en")
    login(client, "ana@kopalpha.id")
    token = csrf_token(client, "/kelola")
    response = client.post("/bahasa", data={"locale": "id", "next": "/kelola", "csrf_token": token})
    assert response.status_code == 302
    client.set_cookie("bahasa", "en", domain="alpha.localhost")
    assert '<html lang="id">' in text(client.get("/kelola"))
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        assert session.get(TenantUser, tenants.a.users["ketua"].id).locale == "id"


def test_saving_a_language_needs_the_csrf_token(client_for):
    client = client_for("alpha")
    login(client, "ana@kopalpha.id")
    assert client.post("/bahasa", data={"locale": "id"}).status_code == 400


@pytest.mark.parametrize(
    ("lang", "title"), [("id", "Halaman tidak ditemukan"), ("en", "Page not found")]
)
def test_error_pages_speak_both_languages(client_for, lang, title):
    response = client_for("alpha", lang=lang).get("/tidak-ada-di-sini")
    assert response.status_code == 404
    assert title in text(response)


def test_messages_pot_is_not_stale():
    fresh = message_ids(extract_fresh())
    committed = message_ids(load(POT))
    assert fresh - committed == set(), "run `make translations`: new strings are not extracted"
    assert committed - fresh == set(), "run `make translations`: removed strings linger"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_catalog_is_complete(locale):
    assert incomplete_entries(locale) == []


@pytest.mark.parametrize("locale", ["id", "en"])
def test_catalog_has_every_message_of_the_template(locale):
    assert (
        message_ids(load(POT))
        - message_ids(load(POT.parent / locale / "LC_MESSAGES" / "messages.po"))
        == set()
    )
