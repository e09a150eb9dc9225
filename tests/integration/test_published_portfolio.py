"""The loan portfolio published with a closed year: its figures at the year's end, frozen when
published, on the microsite and in the members' accounts, naming nobody."""

from __future__ import annotations

from datetime import date

import pytest

from saas.loans import collectibility
from saas.loans import operations as loans
from saas.loans.repayments import standing
from saas.publishing import operations as publishing
from tests.clock import TODAY
from tests.factories import book_closed_2025, books_of, csrf_token, hidden, login, text
from tests.integration.lending import active_loan, pay
from tests.integration.test_pages_in_indonesian import english_on

YEAR_END = date(2025, 12, 31)
PUBLISHED = {
    "on": "2025-12-31",
    "count": 2,
    "outstanding": 1_800_000,
    "by_class": {
        "lancar": {"count": 1, "outstanding": 600_000},
        "kurang_lancar": {"count": 1, "outstanding": 1_200_000},
        "diragukan": {"count": 0, "outstanding": 0},
        "macet": {"count": 0, "outstanding": 0},
    },
    "npl_bp": 6_666,
    "health": "unhealthy",
    "reserve_held": 124_000,
}


@pytest.fixture
def loans_2025(db, tenants) -> dict[str, int]:
    """Two loans of alpha's 2025, then the year closed: one unpaid since July (174 days late on
    31 December: kurang lancar), one paid on time (lancar); November's reserve posted."""
    with books_of(db, tenants.a) as session:
        late = active_loan(session, tenants, on=date(2025, 6, 10))
        current = active_loan(session, tenants, member=1, on=date(2025, 9, 10))
        for month in (10, 11, 12):
            paid_on = date(2025, month, 10)
            pay(session, current, standing(session, current, paid_on).due_now, paid_on)
        user = tenants.a.users["bendahara"].id
        # 30 November: 1,200,000 kurang lancar at 10%, 800,000 lancar at 0.5%.
        collectibility.post_reserve(session, 2025, 11, today=date(2025, 12, 15), user_id=user)
        session.commit()
        found = {"late": late.id, "current": current.id}
    book_closed_2025(db, tenants.a)
    return found


def publish(client, **fields):
    page = text(client.get("/kelola/terbitkan"))
    data = {"csrf_token": hidden(page, "csrf_token"), "year": "2025", **fields}
    return client.post("/kelola/terbitkan", data=data)


def published_figures(db, tenants) -> dict | None:
    with books_of(db, tenants.a) as session:
        report = publishing.get_published(session, 2025)
        return None if report is None else report.figures.get(publishing.LOAN_PORTFOLIO)


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def test_the_treasurer_publishes_the_loan_portfolio_at_the_years_end(
    bendahara, db, tenants, loans_2025
):
    assert "The loan portfolio at the year" in text(bendahara.get("/kelola/terbitkan"))
    assert publish(bendahara, loan_portfolio="y").status_code == 302
    assert published_figures(db, tenants) == PUBLISHED


def test_the_published_portfolio_stays_as_published_after_later_payments_and_settings(
    bendahara, db, tenants, loans_2025
):
    publish(bendahara, loan_portfolio="y")
    with books_of(db, tenants.a) as session:
        late = session.get_one(loans.Loan, loans_2025["late"])
        pay(session, late, standing(session, late, TODAY).total_left, TODAY)  # all of it
        loans.save_settings(
            session,
            approver_roles=["ketua", "bendahara"],
            approvals_required=2,
            arrears_days={"monthly": [30, 60, 90], "weekly": [30, 60, 90], "daily": [30, 60, 90]},
        )
        session.commit()
        # Read afresh, the year's end now has the late loan macet; what was published has not.
        recomputed = publishing.loan_portfolio_figures(session, YEAR_END)
    assert recomputed["by_class"]["macet"]["count"] == 1
    assert published_figures(db, tenants) == PUBLISHED


def test_the_published_portfolio_is_on_the_microsite_in_both_languages(
    bendahara, client_for, tenants, loans_2025
):
    publish(bendahara, balance_sheet="y", loan_portfolio="y")
    visitor = client_for("alpha")
    report = " ".join(text(visitor.get("/laporan-keuangan/2025")).split())
    assert "Loan portfolio on Dec 31, 2025" in report
    assert "Principal owed</dt><dd>Rp1,800,000" in report
    assert 'Substandard (kurang lancar)</th><td class="num">Rp1,200,000' in report
    assert "66.66% · <strong>Unhealthy</strong>" in report
    assert "Rp124,000" in report
    assert "Total assets" in report  # beside the statements published with it
    for member in tenants.a.members:  # the summary names nobody
        assert member.name not in report
    listed = " ".join(text(visitor.get("/laporan-keuangan")).split())
    assert "Loans on Dec 31, 2025: 2, Rp1,800,000 owed, NPL 66.66% (Unhealthy)" in listed
    in_indonesian = text(client_for("alpha", lang=None).get("/laporan-keuangan/2025"))
    indonesian = " ".join(in_indonesian.split())
    assert "Portofolio pinjaman per 31 Des 2025" in indonesian
    assert "66,66% · <strong>Tidak sehat</strong>" in indonesian
    assert english_on(in_indonesian) == []


def test_a_member_reads_the_published_portfolio_in_their_account(
    bendahara, client_for, db, tenants, loans_2025
):
    publish(bendahara, income="y", loan_portfolio="y")
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id
        session.commit()
    citra = client_for("alpha")
    login(citra, "citra@kopalpha.id")
    home = " ".join(text(citra.get("/anggota")).split())
    assert "Loans on Dec 31, 2025: 2, Rp1,800,000 owed, NPL 66.66% (Unhealthy)" in home


def test_a_cooperative_with_no_loans_cannot_publish_a_portfolio(client_for, db, tenants):
    book_closed_2025(db, tenants.a)
    treasurer = client_for("alpha")
    login(treasurer, "bambang@kopalpha.id")
    refused = publish(treasurer, income="y", loan_portfolio="y")
    assert refused.status_code == 422
    assert "No loan was being repaid at the end of that year" in text(refused)
    with books_of(db, tenants.a) as session:
        assert publishing.get_published(session, 2025) is None  # not the income either
    bendahara = client_for("alpha", lang=None)
    login(bendahara, "bambang@kopalpha.id")
    indonesian = publish(bendahara, loan_portfolio="y")
    assert indonesian.status_code == 422
    assert "Tidak ada pinjaman yang sedang diangsur" in text(indonesian)


def test_only_who_publishes_statements_publishes_the_portfolio(
    alpha, client_for, db, tenants, loans_2025
):
    login(alpha, "ana@kopalpha.id")  # the chair reads the books but does not publish them
    assert alpha.get("/kelola/terbitkan").status_code == 403
    token = csrf_token(alpha, "/kelola/laporan")  # a page the chair reads
    data = {"csrf_token": token, "year": "2025", "loan_portfolio": "y"}
    assert alpha.post("/kelola/terbitkan", data=data).status_code == 403
    member = client_for("alpha")
    login(member, "citra@kopalpha.id")
    assert member.get("/kelola/terbitkan").status_code == 403
    assert published_figures(db, tenants) is None


def test_another_cooperative_sees_nothing_of_the_published_portfolio(
    bendahara, client_for, loans_2025
):
    publish(bendahara, loan_portfolio="y")
    beta = client_for("beta")
    assert beta.get("/laporan-keuangan/2025").status_code == 404
    assert "Loans on" not in text(beta.get("/laporan-keuangan"))
