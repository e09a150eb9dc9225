"""The demo of `make run`: members with savings, the member account linked; idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from saas.dashboard.models import TenantSummary
from saas.gerai.models import (
    ConsignmentSettlement,
    Consignor,
    GeraiProduct,
    GoodsReceipt,
    Sale,
    SaleMethod,
)
from saas.ledger.models import EntrySource, JournalEntry
from saas.loans import collectibility
from saas.loans.models import Collectibility, Loan, LoanStatus, PpapRun
from saas.members.models import Member
from saas.microsite import operations as microsite
from saas.publishing import operations as publishing
from saas.savings import operations as savings
from saas.savings.models import SavingsKind
from saas.seed import DEMO_NAME, DEMO_SLUG, seed_demo
from saas.seed_showcase import REGION_CODE
from saas.shu import operations as shu
from saas.tenants.models import Tenant
from tests.clock import LAST_MONTH_END, TODAY
from tests.factories import login, text


def test_the_demo_has_members_with_savings_and_a_second_run_changes_nothing(db, app):
    settings = app.extensions["guyub.settings"]
    first = list(seed_demo(db, settings, "demo-seed-2026"))
    assert "registered demo member 0001 Ani Lestari" in first
    again = list(seed_demo(db, settings, "demo-seed-2026"))
    assert again == []
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        ani = session.scalar(select(Member).where(Member.number == "0001"))
        assert ani.user_id is not None  # anggota@sukamaju.id sees her own savings
        balances = savings.balances(session, ani.id)
        assert balances[SavingsKind.POKOK] == 100_000
        months = 12 + TODAY.month - (TODAY.day < 5)  # each month's is paid on the 5th
        assert balances[SavingsKind.WAJIB] == 10_000 * months
        # Three members' savings, last year's six sales and expenses, and its SHU; the loans'
        # capital grant, and the loans' payouts, payments and reserve.
        loan_entries = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.source == EntrySource.LOAN)
        )
        shop_entries = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.source.in_([EntrySource.SALE, EntrySource.STOCK]))
        )
        assert (
            session.scalar(select(func.count()).select_from(JournalEntry))
            == 3 * (1 + months) + 6 + 1 + 1 + loan_entries + shop_entries
        )
        last_year = TODAY.year - 1
        (ani_shu,) = [share for _a, share in shu.shares_of_member(session, ani.id)]
        assert ani_shu.jasa_usaha > 0  # she bought at the gerai
        published = publishing.get_published(session, last_year)
        assert published is not None
        # Last year's loan portfolio, as the books stood at its end (which demo loans were out
        # by then depends on the day the demo is made: they are paid out months before it).
        loans = publishing.portfolio_summary(published)
        assert loans is not None
        year_end = date(last_year, 12, 31)
        assert loans.on == year_end
        assert loans.count >= 1  # the loan paid out in October of last year, at least
        assert published.figures[publishing.LOAN_PORTFOLIO] == (
            publishing.loan_portfolio_figures(session, year_end)
        )
    with db.platform_session() as session:
        summary = session.get(TenantSummary, tenant.id)
        assert summary.members == 3
        assert summary.report_year == last_year


def test_the_demo_has_loans_in_every_class_assessed_with_last_months_reserve(db, app):
    list(seed_demo(db, app.extensions["guyub.settings"], "demo-seed-2026"))
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        statuses = Counter(session.scalars(select(Loan.status)))
        assert statuses == {LoanStatus.ACTIVE: 5, LoanStatus.PAID_OFF: 1, LoanStatus.APPLIED: 1}
        active = session.scalars(select(Loan).where(Loan.status == LoanStatus.ACTIVE)).all()
        assert {loan.collectibility for loan in active} == set(Collectibility)
        assert {loan.assessed_on for loan in active} == {TODAY}
        book = collectibility.portfolio(session, TODAY)
        assert book.by_class[Collectibility.MACET].count == 1
        assert book.health == "unhealthy"
        run = session.scalar(select(PpapRun))
        assert (run.year, run.month) == (LAST_MONTH_END.year, LAST_MONTH_END.month)
        assert run.required > 0
        assert collectibility.reserve_held(session, TODAY) == run.required


def test_the_demo_shop_sold_for_a_month_to_members_and_the_public_and_paid_its_consignor(
    db, app, client_for
):
    list(seed_demo(db, app.extensions["guyub.settings"], "demo-seed-2026"))
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        assert session.scalar(select(func.count()).select_from(GoodsReceipt)) == 1
        assert session.scalar(select(func.count()).select_from(GeraiProduct)) == 6
        sold = session.scalars(select(Sale)).all()
        days = sorted({s.sold_on for s in sold})
        # Every day of the month up to today (from the first open day, early in January).
        assert days[-1] == TODAY
        assert days == [days[0] + timedelta(days=n) for n in range(len(days))]
        assert days[0] == max(TODAY - timedelta(days=29), date(TODAY.year, 1, 1))
        assert len(sold) == 2 * len(days)
        assert {s.member_id is None for s in sold} == {True, False}
        assert SaleMethod.CASH in {s.method for s in sold}
        if len(days) > 4:
            assert {SaleMethod.CREDIT, SaleMethod.QRIS} <= {s.method for s in sold}
        (consignor,) = session.scalars(select(Consignor)).all()
        assert consignor.name == "Euis Komariah"
        (settlement,) = session.scalars(select(ConsignmentSettlement)).all()
        assert settlement.settled_on == max(TODAY - timedelta(days=7), days[0])
        packs = sum(day <= settlement.settled_on for day in days)  # one a day, less the fee
        assert settlement.amount == packs * 10_000
    assert "Keripik Singkong Euis" in text(client_for("demo", lang="en").get("/produk"))


def test_the_demo_is_a_verified_complete_showcase_in_the_directory(db, app, client_for):
    list(seed_demo(db, app.extensions["guyub.settings"], "demo-seed-2026"))
    with db.platform_session() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
        assert tenant.verified_at is not None
        assert tenant.region_code == REGION_CODE
        summary = session.get(TenantSummary, tenant.id)
        assert summary.completeness == 100
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        assert len(microsite.list_news(session)) == 3
        assert all(post.photos for post in microsite.list_news(session))
        assert len(microsite.list_products(session)) == 3
    visitor = client_for("demo", lang="en")
    home = text(visitor.get("/"))
    assert "Verified by KODE Indonesia" in home
    assert "100%" in home
    assert "Gerai sembako resmi dibuka" in text(visitor.get("/berita"))
    assert "Gula aren" in text(visitor.get("/produk"))
    platform = client_for(None, lang="en")
    assert DEMO_NAME in text(platform.get("/direktori"))
    assert DEMO_NAME in text(platform.get("/cari-koperasi?q=kadudampit"))
    officer = client_for("demo", lang="en")
    login(officer, "ketua@sukamaju.id", "demo-seed-2026")
    checklist = text(officer.get("/kelola/kelengkapan"))
    assert "Your profile is 100% complete" in checklist
    assert "Verified by KODE Indonesia on" in checklist
