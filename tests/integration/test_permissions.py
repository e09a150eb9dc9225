"""The permission matrix: docs/permissions.md, the code's grants and what the server does agree.

Every page of a cooperative is opened by a user of every role: the roles the document lists get
past the check, the others get a 403 naming who may open the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saas.access import Scope
from saas.accounts import operations as accounts
from saas.accounts.roles import GRANTS, Permission, Role
from saas.blueprints.registration.forms import FOUNDING_ROLES
from tests.factories import PASSWORD, csrf_from, login, text

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLE_COLUMNS = [role.value for role in Role]
# URL arguments: any value reaches the access check first; every other argument is a row id,
# and row 1 of each table the pages name exists in the fixtures or is simply not found.
ARGUMENTS = {
    "year": 2025,
    "fmt": "xlsx",
    "number": "KW-2026-000099",
    "name": "0" * 32 + ".csv",
    "action": "setor",
}
EXTRA_USERS = {
    Role.WAKIL_KETUA: "wulan@kopalpha.id",
    Role.SEKRETARIS: "sari@kopalpha.id",
    Role.STAFF: "kasir@kopalpha.id",
}


def table_rows(heading: str) -> list[list[str]]:
    """The cells of the first table under ``## heading`` in docs/permissions.md."""
    section = DOC.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def documented_grants() -> dict[str, set[str]]:
    lines = DOC.read_text().splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    assert [c.strip() for c in header.strip("|").split("|")][2:] == ROLE_COLUMNS
    return {
        row[0].strip("`"): {role for role, cell in zip(ROLE_COLUMNS, row[2:], strict=True) if cell}
        for row in table_rows("Who holds what")
    }


def documented_pages() -> dict[str, str]:
    return {row[0].strip("`"): row[2].strip("`") for row in table_rows("Pages")}


def tenant_rules(app):
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], "access", None)
        if access is not None and access.scope == Scope.TENANT and access.permission:
            yield rule, access.permission


def test_the_documented_grants_are_the_code_grants():
    assert documented_grants() == {
        permission.value: {role.value for role in roles} for permission, roles in GRANTS.items()
    }


def test_every_page_of_a_cooperative_is_documented_with_its_permission(app):
    declared = {rule.endpoint: permission.value for rule, permission in tenant_rules(app)}
    assert documented_pages() == declared


@pytest.mark.parametrize("founder", FOUNDING_ROLES)
def test_a_founder_of_any_board_role_can_finish_the_set_up(founder):
    for permission in (Permission.MANAGE_TEAM, Permission.EDIT_PROFILE, Permission.OFFICER_AREA):
        assert founder in GRANTS[permission]


def test_the_chair_and_the_supervisors_read_the_books_and_only_the_treasurer_keeps_them():
    assert {Role.KETUA, Role.PENGAWAS} <= GRANTS[Permission.READ_BOOKS]
    assert GRANTS[Permission.KEEP_BOOKS] == {Role.BENDAHARA}
    assert Role.PENGAWAS not in GRANTS[Permission.POST_MONEY]


@pytest.fixture
def clients_by_role(client_for, db, tenants):
    """A signed-in client of tenant A for every role, with its CSRF token."""
    a = tenants.a
    with db.tenant_session(a.tenant.shard, a.tenant.schema_name) as session:
        for role, email in EXTRA_USERS.items():
            accounts.create_tenant_user(
                session, name=f"{role.value} Alpha", email=email, role=role, password=PASSWORD
            )
    emails = {user.role: user.email for user in a.users.values()} | EXTRA_USERS
    clients = {}
    for role in Role:
        client = client_for("alpha")
        assert login(client, emails[role]).status_code == 302
        clients[role] = (client, csrf_from(client.get("/anggota")))
    return clients


def probe_url(rule) -> str:
    return rule.build({name: ARGUMENTS.get(name, 1) for name in rule.arguments})[1]


def test_every_role_meets_the_documented_matrix_on_every_page(app, clients_by_role):
    grants = documented_grants()
    pages = documented_pages()
    with app.test_request_context():  # only to build the URLs
        probes = [(rule, probe_url(rule)) for rule, _ in tenant_rules(app)]
    checked = 0
    for rule, url in probes:
        method = "GET" if "GET" in rule.methods else "POST"
        for role, (client, token) in clients_by_role.items():
            allowed = role.value in grants[pages[rule.endpoint]]
            if allowed and method == "POST":
                continue  # the view would run: each writer has its own tests
            response = client.open(url, method=method, data={"csrf_token": token})
            if allowed:
                assert response.status_code not in (401, 403), (role, method, url)
                assert response.status_code < 500, (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url)
                assert "This page is for:" in text(response), (role, url)
            checked += 1
    assert checked > 400


def test_a_refused_page_names_the_roles_that_may_open_it(clients_by_role):
    client, _token = clients_by_role[Role.KETUA]
    response = client.get("/kelola/tagihan/pengaturan")
    assert response.status_code == 403
    assert "This page is for: Treasurer (Bendahara)." in text(response)
    assert "Ask your chair" not in text(response)


def test_the_chair_reads_the_journal_without_its_forms(clients_by_role):
    client, _token = clients_by_role[Role.KETUA]
    page = text(client.get("/kelola/jurnal"))
    assert "Latest entries" in page
    assert 'action="/kelola/jurnal"' not in page
    assert "Close the month" not in page
    assert not re.search(r'action="/kelola/jurnal/\d+/balik"', page)


def test_a_founding_treasurer_invites_the_team(clients_by_role, outbox):
    client, token = clients_by_role[Role.BENDAHARA]
    assert client.get("/kelola/tim").status_code == 200
    response = client.post(
        "/kelola/tim",
        data={
            "name": "Ketua Baru",
            "email": "ketua.baru@kopalpha.id",
            "role": "ketua",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert outbox[-1]["to"] == ["ketua.baru@kopalpha.id"]
