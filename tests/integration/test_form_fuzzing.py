"""Every form, fuzzed: each route that takes a POST is sent what Hypothesis makes of its own
fields (the names its pages' forms use) with a valid CSRF token, by a user allowed to send it.
Whatever arrives, the answer is never a server error.

Bounded: a handful of examples per route, no shrinking database, a few minutes in all."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from saas.access import Scope
from saas.accounts.roles import GRANTS, Role
from saas.storage import LocalStorage
from tests.factories import ADMIN_EMAIL, csrf_from, login, text
from tests.integration.test_isolation import ROUTES, Alpha, Probe, alpha_walk  # noqa: F401
from tests.integration.test_permissions import EXTRA_USERS, clients_by_role  # noqa: F401

# Not fuzzed: signing out ends the very session the rest is sent with, and the webhook answers
# only Stripe's signature (its own tests send it every kind of bad body).
SKIPPED = {"auth.logout", "billing.webhook"}
FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", re.S)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"')
FILE_FIELD = re.compile(r'<input[^>]*type="file"[^>]*name="([^"]+)"|name="([^"]+)"[^>]*type="file"')

NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e309",
        "NaN",
        "9" * 40,
        "-" + "9" * 25,
        "Rp 1.000.000,50",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
        "on",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "\U0001d518\U0001d52b\U0001d526 \u0663\u0664 \uff15",  # fraktur, Arabic and wide digits
        "a" * 5000,
        "\u202e\u200b",
    ]
)
VALUE = st.one_of(NASTY, st.text(max_size=60), st.integers(-(10**20), 10**20).map(str))


def field_values(names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Some of the form's fields (each maybe sent twice), and now and then one it lacks."""
    known = st.sampled_from(names) if names else st.just("field")
    name = st.one_of(known, known, st.text(min_size=1, max_size=12))
    return st.dictionaries(name, st.lists(VALUE, min_size=1, max_size=2), max_size=12)


def clients(tenants, by_role) -> dict[Role, tuple[FlaskClient, str]]:
    """The permission matrix's signed-in client of A for each role, with its address."""
    emails = {user.role: user.email for user in tenants.a.users.values()} | EXTRA_USERS
    return {role: (client, emails[role]) for role, (client, _token) in by_role.items()}


def fresh_token(client: FlaskClient, email: str) -> str | None:
    """The session's CSRF token, signing in again if an earlier post ended the session (a
    changed password, a changed role); None when the user cannot sign in any more."""
    page = client.get("/anggota")
    if 'name="csrf_token"' not in text(page):
        login(client, email)
        page = client.get("/anggota")
    return csrf_from(page) if 'name="csrf_token"' in text(page) else None


def forms_by_action(client: FlaskClient, urls: list[str]) -> dict[str, list[str]]:
    """The field names of every form the pages at ``urls`` show, by the form's action."""
    found: dict[str, set[str]] = defaultdict(set)
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype.startswith("text/html"):
            continue
        for action, body in FORM.findall(text(response)):
            files = {a or b for a, b in FILE_FIELD.findall(body)}
            found[action.split("?")[0]] |= set(FIELD.findall(body)) - files - {"csrf_token"}
    return {action: sorted(names) for action, names in found.items()}


def post_targets(app: Flask, a: Alpha) -> Iterator[tuple[str, str, str | None, bool]]:
    """(endpoint, URL, permission, on the platform host) for every route taking a POST."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint in SKIPPED:
                continue
            access = getattr(app.view_functions[rule.endpoint], "access", None)
            assert access is not None, rule.endpoint
            how = ROUTES[rule.endpoint]
            values = how.values(a) if isinstance(how, Probe) and rule.arguments else {}
            url = rule.build(values, append_unknown=False)[1]  # type: ignore[index]
            permission = access.permission.value if access.permission else None
            if access.scope == Scope.PLATFORM and access.platform_admin:
                permission = "platform_admin"
            yield rule.endpoint, url, permission, access.scope == Scope.PLATFORM


def holder(
    permission: str | None, signed_in: dict[Role, tuple[FlaskClient, str]]
) -> tuple[FlaskClient, str]:
    if permission is None:
        return signed_in[Role.KETUA]
    roles = sorted(
        (role for role, perms in _roles_by_permission().items() if permission in perms),
        key=lambda role: role.value,
    )
    return signed_in[roles[0]]


def _roles_by_permission() -> dict[Role, set[str]]:
    held: dict[Role, set[str]] = defaultdict(set)
    for permission, roles in GRANTS.items():
        for role in roles:
            held[role].add(permission.value)
    return held


def upstream_unavailable(url: str, response: TestResponse) -> bool:
    """The designed answer of the billing pages when Stripe fails (here: the test cooperatives'
    subscriptions exist only in our database): 503 with the friendly message on the form,
    nothing changed. Not the input's doing."""
    return (
        response.status_code == 503
        and url.startswith("/kelola/langganan")
        and 'class="flash flash-error" role="alert"' in text(response)
    )


def fuzzer(
    client: FlaskClient, token: str, url: str, names: list[str], failures: list[str]
) -> Callable[[], None]:
    """A Hypothesis test posting what it makes of the form's fields to ``url``."""

    @settings(
        max_examples=6,
        derandomize=True,  # the same examples on every run: CI never meets a new one by chance
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sent=field_values(names))
    def send(sent: dict[str, list[str]]) -> None:
        data = [(name, value) for name, values in sent.items() for value in values]
        data.append(("csrf_token", token))
        response = client.post(url, data=MultiDict(data))
        if response.status_code >= 500 and not upstream_unavailable(url, response):
            failures.append(f"{url} {sent!r} -> {response.status_code}")

    return send


@pytest.fixture
def files_of_its_own(app, monkeypatch, tmp_path):
    """The fuzzed forms delete photos and documents: on a copy of the stored files, so the
    files other tests rely on stay where they are (files are no database rows rolled back)."""
    kept: LocalStorage = app.extensions["guyub.storage"]
    copy = tmp_path / "uploads"
    shutil.copytree(kept.root, copy, dirs_exist_ok=True)
    monkeypatch.setitem(app.extensions, "guyub.storage", LocalStorage(copy))


@pytest.mark.timeout(900)
def test_no_form_answers_a_server_error_whatever_it_is_sent(
    app, client_for, db, tenants, request, stripe_gateway
):
    a: Alpha = request.getfixturevalue("alpha_walk")
    request.getfixturevalue("files_of_its_own")  # after the walk made its files
    signed_in = clients(tenants, request.getfixturevalue("clients_by_role"))
    get_urls = _page_urls(app, a)
    fields = forms_by_action(signed_in[Role.BENDAHARA][0], get_urls)
    fields |= forms_by_action(signed_in[Role.KETUA][0], get_urls)
    admin, visitor = client_for(None), client_for(None)
    assert login(admin, ADMIN_EMAIL).status_code == 302
    on_platform = {"platform_admin": (admin, ADMIN_EMAIL), None: (visitor, "")}
    fields |= forms_by_action(admin, ["/daftar", "/admin/verifikasi", "/admin/langganan"])
    failures: list[str] = []
    fuzzed: list[str] = []
    for endpoint, url, permission, platform in sorted(post_targets(app, a)):
        client, email = on_platform[permission] if platform else holder(permission, signed_in)
        token = fresh_token(client, email) if email else csrf_from(client.get("/masuk"))
        if token is None:
            continue  # an earlier post took this user's access away, as it may
        fuzzer(client, token, url, fields.get(url, []), failures)()
        fuzzed.append(endpoint)
    assert failures == [], "\n".join(failures[:20])
    assert len(fuzzed) >= 95


def _page_urls(app: Flask, a: Alpha) -> list[str]:
    """Every cooperative page a GET opens, naming A's objects."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            access = getattr(app.view_functions[rule.endpoint], "access", None)
            if "GET" not in rule.methods or access is None or access.scope == Scope.PLATFORM:
                continue
            how = ROUTES[rule.endpoint]
            if rule.arguments and not isinstance(how, Probe):
                continue
            values = how.values(a) if isinstance(how, Probe) and rule.arguments else {}
            urls.append(rule.build(values, append_unknown=False)[1])  # type: ignore[index]
    return urls
