"""Sponsored plans: an admin grants a plan to one cooperative or a region until a date, each
grant in the append-only audit log; the admins' overview shows plans, sponsors and MRR."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from saas.billing import queries
from saas.billing.models import BillingAuditEntry, Sponsorship
from saas.regions.queries import get_region
from saas.tenants.models import Tenant
from tests.clock import TODAY
from tests.factories import ADMIN_EMAIL, csrf_token, login, put_on_free_plan, put_on_paid_plan, text


@pytest.fixture(autouse=True)
def on_the_free_plan(db, tenants):
    """Both cooperatives start on the Gratis plan without a Stripe customer, as a new one does."""
    for data in (tenants.a, tenants.b):
        put_on_free_plan(db, data.tenant)


@pytest.fixture
def admin(platform):
    login(platform, ADMIN_EMAIL)
    return platform


def grant(client, beneficiary: str, *, sponsor: str = "Bank Desa", **dates: str):
    data = {
        "plan": "koperasi",
        "sponsor": sponsor,
        "beneficiary": beneficiary,
        "starts_on": dates.get("starts_on", TODAY.isoformat()),
        "ends_on": dates.get("ends_on", (TODAY + timedelta(days=365)).isoformat()),
        "csrf_token": csrf_token(client, "/admin/langganan"),
    }
    return client.post("/admin/langganan/sponsor", data=data)


def terms(db, tenant):
    with db.platform_session() as session:
        return queries.terms_for(session, tenant.id)


def place(db, tenant, region_code: str) -> None:
    with db.platform_session() as session:
        session.execute(
            update(Tenant).where(Tenant.id == tenant.id).values(region_code=region_code)
        )
        session.commit()


def test_a_sponsored_cooperative_has_the_plan_and_the_grant_is_in_the_audit_log(
    admin, alpha, db, tenants
):
    response = grant(admin, "alpha")
    assert response.status_code == 303
    sponsored = terms(db, tenants.a.tenant)
    assert (sponsored.plan.code, sponsored.sponsor, sponsored.member_limit) == (
        "koperasi",
        "Bank Desa",
        None,
    )
    assert terms(db, tenants.b.tenant).plan.code == "gratis"
    with db.platform_session() as session:
        (entry,) = session.scalars(select(BillingAuditEntry))
        assert entry.action == "sponsor_granted"
        assert json.loads(entry.details)["tenant"] == "alpha"
    login(alpha, "bambang@kopalpha.id")
    assert "Bank Desa pays for this plan." in text(alpha.get("/kelola/langganan"))


def test_a_regency_sponsors_every_cooperative_in_its_region(admin, db, tenants, regions_loaded):
    place(db, tenants.a.tenant, "32.02.15.2001")
    place(db, tenants.b.tenant, "33.01.01.2001")
    assert grant(admin, "32.02", sponsor="Pemkab Sukabumi").status_code == 303
    assert terms(db, tenants.a.tenant).sponsor == "Pemkab Sukabumi"
    assert terms(db, tenants.b.tenant).sponsor is None


def test_a_sponsorship_holds_only_between_its_dates(admin, db, tenants):
    ended = {
        "starts_on": (TODAY - timedelta(days=30)).isoformat(),
        "ends_on": (TODAY - timedelta(days=1)).isoformat(),
    }
    assert grant(admin, "alpha", **ended).status_code == 303
    assert terms(db, tenants.a.tenant).plan.code == "gratis"


@pytest.mark.parametrize(
    ("beneficiary", "dates", "message"),
    [
        ("nowhere", {}, "No cooperative has this web address and no region has this code"),
        ("alpha", {"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "The end comes before"),
    ],
)
def test_a_grant_for_nobody_or_ending_before_it_starts_is_refused_on_the_form(
    admin, db, beneficiary, dates, message
):
    response = grant(admin, beneficiary, **dates)
    assert response.status_code == 422
    assert message in text(response)
    with db.platform_session() as session:
        assert session.scalars(select(Sponsorship)).all() == []


def test_the_database_keeps_the_audit_log_append_only(admin, db, tenants):
    grant(admin, "alpha")
    for statement in ("UPDATE billing_audit_log SET action = 'x'", "DELETE FROM billing_audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.platform_transaction() as sql:
            sql.exec_driver_sql(statement)


@pytest.mark.parametrize("who", ["NULL, NULL", "{tenant}, '32.02'"])
def test_the_database_refuses_a_sponsorship_for_neither_or_both(db, tenants, who):
    tenant_and_region = who.format(tenant=tenants.a.tenant.id)
    with (
        pytest.raises(IntegrityError, match="one_cooperative_or_a_region"),
        db.platform_transaction() as sql,
    ):
        sql.exec_driver_sql(
            "INSERT INTO sponsorships (plan_id, sponsor, tenant_id, region_code, starts_on,"
            " ends_on, granted_by_id, granted_at) SELECT (SELECT id FROM plans LIMIT 1), 'X',"
            f" {tenant_and_region}, current_date, current_date, id, now()"
            " FROM platform_admins LIMIT 1"
        )


def test_the_overview_shows_each_plan_sponsor_and_mrr_and_the_csv_says_the_same(admin, db, tenants):
    put_on_paid_plan(db, tenants.a.tenant)
    grant(admin, "beta", sponsor="=Bank Desa")  # a sponsor named like a spreadsheet formula
    page = text(admin.get("/admin/langganan"))
    assert "Monthly recurring revenue: Rp150,000" in page
    assert "sponsored by =Bank Desa" in page
    rows = {
        row["alamat"]: row
        for row in csv.DictReader(io.StringIO(admin.get("/admin/langganan.csv").text))
    }
    assert (rows["alpha"]["paket"], rows["alpha"]["status"], rows["alpha"]["mrr_rupiah"]) == (
        "Koperasi",
        "active",
        "150000",
    )
    assert (rows["beta"]["paket"], rows["beta"]["sponsor"], rows["beta"]["mrr_rupiah"]) == (
        "Koperasi",
        "'=Bank Desa",
        "0",
    )


def test_the_overview_is_for_platform_admins_only(platform, alpha):
    assert platform.get("/admin/langganan").status_code == 302  # to the sign-in
    assert alpha.get("/admin/langganan").status_code == 404  # not on a cooperative's host


def test_the_overview_counts_cooperatives_by_province_plan_and_sponsor(
    admin, db, tenants, regions_loaded
):
    place(db, tenants.a.tenant, "32.02.15.2001")
    grant(admin, "32.02", sponsor="Pemkab Sukabumi")
    page = text(admin.get("/admin/langganan"))
    with db.platform_session() as session:
        province = get_region(session, "32").name
    assert f"{province} · Koperasi · Pemkab Sukabumi: <strong>1</strong>" in page
    assert "Not placed yet · Gratis: <strong>" in page  # beta, and any other not placed


def test_the_public_dashboard_counts_plans_by_province_and_sponsor_and_shows_no_money(
    admin, client_for, db, tenants, regions_loaded
):
    place(db, tenants.a.tenant, "32.02.15.2001")
    grant(admin, "32.02", sponsor="Pemkab Sukabumi")
    put_on_paid_plan(db, tenants.b.tenant)  # Rp150,000 a month, which the public never sees
    page = text(client_for(None).get("/dasbor"))
    with db.platform_session() as session:
        province = get_region(session, "32").name
    assert f"{province} · Koperasi · sponsored by Pemkab Sukabumi: <strong>1</strong>" in page
    assert "Pemkab Sukabumi: <strong>1</strong>" in page
    assert "Not sponsored: <strong>" in page
    plans = page[page.index("Plans by province") : page.index("</section>", page.index("Plans by"))]
    assert "Rp" not in plans
    assert "150" not in plans


def test_the_admins_see_each_group_and_sponsor_with_its_mrr(admin, db, tenants, regions_loaded):
    place(db, tenants.a.tenant, "32.02.15.2001")
    grant(admin, "32.02", sponsor="Pemkab Sukabumi")
    put_on_paid_plan(db, tenants.b.tenant)
    page = text(admin.get("/admin/langganan"))
    assert "Pemkab Sukabumi: <strong>1</strong></li>" in page  # sponsored: no revenue
    assert "Not placed yet · Koperasi: <strong>1</strong>" in page
    assert "MRR Rp150,000" in page
    assert "Plans and billing, with the revenue" in text(admin.get("/admin/dasbor"))


def test_the_counts_add_up_to_the_overview_rows_and_their_mrr(db, tenants):
    put_on_paid_plan(db, tenants.a.tenant)
    with db.platform_session() as session:
        rows = queries.list_cooperative_billing(session, TODAY)
        counts = queries.count_plans(session, TODAY)
    assert sum(count.cooperatives for count in counts) == len(rows)
    assert sum(count.mrr for count in counts) == sum(row.mrr for row in rows) >= 150_000
    by_sponsor = queries.count_by_sponsor(counts)
    assert sum(count.cooperatives for count in by_sponsor) == len(rows)
