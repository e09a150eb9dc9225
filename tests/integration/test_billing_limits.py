"""A plan's limits refuse adding more, with the upgrade message, and never hide, lock or refuse
what the cooperative already keeps: its register, its exports, the money it receives."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.billing import limits, queries
from saas.billing import operations as billing
from saas.members import operations as members
from saas.members.operations import MemberDetails
from tests.clock import TODAY
from tests.factories import csrf_from, csrf_token, login, put_on_free_plan, text

NEW = {
    "nik": "3273 0165 0895 0003",
    "name": "Rina Marlina",
    "phone": "0812-3456-7010",
    "join_date": "2026-11-02",
}
REFUSED = "plan keeps up to 100 active members"


@pytest.fixture(autouse=True)
def on_the_free_plan(db, tenants):
    """Both cooperatives start on the Gratis plan without a Stripe customer, as a new one does."""
    for data in (tenants.a, tenants.b):
        put_on_free_plan(db, data.tenant)


@pytest.fixture
def ketua(alpha):
    login(alpha, "ana@kopalpha.id")
    return alpha


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def register_until(db, tenants, active: int) -> None:
    """Import members until alpha has ``active`` active ones."""
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        missing = active - limits.active_members(session)
        rows = [
            MemberDetails(
                nik=f"3273016508{100_001 + n:06d}",
                name=f"Anggota {n}",
                gender=None,
                birth_date=None,
                address=None,
                village=None,
                phone=None,
                join_date=TODAY,
            )
            for n in range(missing)
        ]
        members.import_members(session, rows)
        session.commit()


def active_members(db, tenants) -> int:
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        return limits.active_members(session)


def subscribe(db, tenants, gateway) -> None:
    with db.platform_session() as session:
        billing.start_paid_plan(
            session,
            gateway,
            tenant_id=tenants.a.tenant.id,
            name="Alpha",
            email=None,
            price=queries.get_price(session, "koperasi", "month"),
            success_url="http://alpha.localhost/",
            cancel_url="http://alpha.localhost/",
        )
        session.commit()


def test_the_101st_member_is_refused_on_the_free_plan_with_the_upgrade_message(ketua, db, tenants):
    register_until(db, tenants, 100)
    response = post(ketua, "/kelola/anggota/baru", NEW)
    assert response.status_code == 422
    assert REFUSED in text(response)
    assert "Upgrade to the Koperasi plan" in text(response)
    assert active_members(db, tenants) == 100


def test_the_hundredth_member_is_still_registered_on_the_free_plan(ketua, db, tenants):
    register_until(db, tenants, 99)
    assert post(ketua, "/kelola/anggota/baru", NEW).status_code == 302
    assert active_members(db, tenants) == 100


def test_on_the_paid_plan_the_101st_member_is_registered(ketua, db, tenants, stripe_gateway):
    register_until(db, tenants, 100)
    subscribe(db, tenants, stripe_gateway)
    assert post(ketua, "/kelola/anggota/baru", NEW).status_code == 302
    assert active_members(db, tenants) == 101


def test_an_invitation_past_the_officer_limit_is_refused_with_the_upgrade_message(
    ketua, db, tenants
):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        for n in range(10 - limits.officer_seats(session)):
            accounts.invite_colleague(
                session,
                inviter=tenants.a.users["ketua"],
                name=f"Staf {n}",
                email=f"staf{n}@kopalpha.id",
                role=Role.STAFF,
                valid_for=timedelta(days=7),
            )
        session.commit()
    invite = {"name": "Satu Lagi", "email": "satu.lagi@kopalpha.id", "role": "staff"}
    response = post(ketua, "/kelola/tim", invite)
    assert response.status_code == 422
    assert "up to 10 officer accounts" in text(response)
    with db.tenant_session(a.shard, a.schema_name) as session:
        assert limits.officer_seats(session) == 10


def test_a_downgrade_below_usage_keeps_every_member_readable_and_exportable(
    ketua, db, tenants, stripe_gateway
):
    subscribe(db, tenants, stripe_gateway)
    register_until(db, tenants, 101)
    with db.platform_session() as session:
        subscription = queries.get_subscription(session, tenants.a.tenant.id)
        stripe_gateway.client.v1.subscriptions.cancel(subscription.stripe_subscription_id)
        deleted = {
            "id": "evt_downgrade",
            "type": "customer.subscription.deleted",
            "data": {
                "object": {
                    "object": "subscription",
                    "id": subscription.stripe_subscription_id,
                    "customer": subscription.stripe_customer_id,
                }
            },
        }
        assert billing.handle_event(session, stripe_gateway, deleted) == "applied"
        session.commit()
    page = text(ketua.get("/kelola/langganan"))
    assert "Current plan: Gratis" in page
    assert "Members: 101 of 100" in page
    assert "is past its plan's limit" in page
    export = ketua.get("/kelola/anggota/ekspor.csv")
    assert export.status_code == 200
    assert export.get_data(as_text=True).count("Anggota ") == 99  # every imported member
    assert "Anggota 98" in text(ketua.get("/kelola/anggota?q=Anggota+98"))
    response = post(ketua, "/kelola/anggota/baru", NEW)
    assert response.status_code == 422
    assert REFUSED in text(response)


def test_an_import_past_the_free_plan_imports_nobody_and_says_why(ketua, db, tenants):
    register_until(db, tenants, 99)
    book = Workbook()
    for row in [
        ["Nama", "NIK", "Tanggal Masuk"],
        ["Dewi Sartika", "3273016508950003", "2026-11-02"],
        ["Budi", "3273011208850009", "2026-10-01"],
    ]:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    uploaded = ketua.post(
        "/kelola/anggota/impor",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token(ketua, "/kelola/anggota/impor"),
            "file": (content, "anggota.xlsx"),
        },
    )
    preview_url = uploaded.headers["Location"]
    token = csrf_from(ketua.get(preview_url))
    response = ketua.post(preview_url, data={"csrf_token": token, "confirm": "1"})
    assert response.status_code == 422
    assert REFUSED in text(response)
    assert active_members(db, tenants) == 99
