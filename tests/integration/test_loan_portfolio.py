"""The loan portfolio page: loans in every class with their figures, the month's reserve (PPAP)
posted once by the treasurer, the refusals on the page, who reads and who posts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.loans import collectibility
from saas.loans import operations as loans
from saas.loans.models import PpapRun
from tests.clock import LAST_MONTH_END, TODAY
from tests.factories import books_of, csrf_from, hidden, login, text
from tests.integration.lending import active_loan
from tests.integration.test_pages_in_indonesian import english_on

URL = "/kelola/pinjaman/portofolio"
POST_URL = "/kelola/pinjaman/portofolio/ppap"
TREASURER, SUPERVISOR = "bambang@kopalpha.id", "dedi@kopalpha.id"

# Loans of 1,200,000 paid out so that on 15 December 2026 the oldest unpaid instalment is late
# 0 days (lancar), 127 (kurang lancar), 219 (diragukan) and 400 days (macet); each keeps its
# class from 30 November 2026 to 1 January 2027, the days the suite is also run at.
PAID_OUT = {
    "lancar": date(2026, 11, 20),
    "kurang_lancar": date(2026, 7, 10),
    "diragukan": date(2026, 4, 10),
    "macet": date(2025, 10, 10),
}


@pytest.fixture
def portfolio(db, tenants) -> dict[str, int]:
    """Four loans of tenant A, one in each class: their ids by class."""
    with books_of(db, tenants.a) as session:
        return {
            grade: active_loan(session, tenants, member=index % 2, on=on).id
            for index, (grade, on) in enumerate(PAID_OUT.items())
        }


def client_of(client_for, email: str, lang: str = "id") -> FlaskClient:
    client = client_for("alpha", lang=lang)
    assert login(client, email).status_code == 302
    return client


def figure(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|table|ul)>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_portfolio_shows_each_class_the_npl_and_the_late_loans(client_for, portfolio):
    page = text(client_of(client_for, TREASURER, lang="en").get(URL))
    by_class = figure(page, "by-class")
    assert "Current (lancar) Rp1,200,000 1 loans" in by_class
    assert "Loss (macet) Rp1,200,000 1 loans" in by_class
    assert "Total Rp4,800,000" in by_class
    # Three of four equal loans are non-performing: 75%, unhealthy.
    assert figure(page, "npl") == "75% · Unhealthy"
    # Risky: half of 1.2m, three quarters of 1.2m and all of 1.2m.
    assert figure(page, "risky") == "Rp2,700,000"
    assert "More than 180 days late Rp2,400,000 2 loans" in figure(page, "by-age")
    macet = figure(page, "loans-macet")
    assert f"{(TODAY - date(2025, 11, 10)).days} days late" in macet
    assert "owes Rp1,200,000" in macet
    assert f'href="/kelola/pinjaman/{portfolio["macet"]}"' in page
    assert "No loans in this class" not in page
    assert "Pinjaman Usaha Rp4,800,000" in figure(page, "by-product")
    assert "Bambang Alpha Rp4,800,000" in figure(page, "by-officer")


def test_the_portfolio_reads_in_indonesian(client_for, portfolio):
    page = text(client_of(client_for, TREASURER).get(URL))
    assert "Tidak sehat" in page
    assert "Macet" in page
    assert english_on(page) == []


def reserve_rows(db, tenants) -> int:
    with books_of(db, tenants.a) as session:
        return session.scalar(select(func.count()).select_from(PpapRun)) or 0


def test_the_treasurer_posts_last_months_reserve_once(client_for, db, tenants, portfolio):
    client = client_of(client_for, TREASURER, lang="en")
    month = LAST_MONTH_END.strftime("%B %Y")
    assert f"Set the reserve of {month}" in text(client.get(URL))
    page = text(client.get(POST_URL))
    with books_of(db, tenants.a) as session:
        needed = collectibility.required_reserve(session, LAST_MONTH_END)
    # At the default instant, on 30 November the loans were 0, 112, 173 and 355 days late:
    # 0.5% of the lancar loan, 10% of two kurang lancar loans and 50% of the diragukan one.
    assert date(2026, 12, 15) != TODAY or needed == 1_926_000  # 0.5% + 10% + 50% + 100%
    offer = figure(page, "reserve-offer")
    assert f"Rp{needed:,}" in offer
    assert f"Held on {LAST_MONTH_END.strftime('%b')}" in offer
    assert f"Post the reserve of {month}" in page
    data = {"csrf_token": csrf_from(client.get(POST_URL)), "year": LAST_MONTH_END.year}
    data["month"] = LAST_MONTH_END.month
    response = client.post(POST_URL, data=data)
    assert response.status_code == 302
    assert reserve_rows(db, tenants) == 1
    with books_of(db, tenants.a) as session:
        assert collectibility.reserve_held(session, TODAY) == needed
    after = text(client.get(URL))
    assert "Set the reserve of" not in after
    assert f"needed Rp{needed:,}, posted Rp{needed:,}" in figure(after, "reserve-runs")
    assert "The reserve of every month that has ended is set." in text(client.get(POST_URL))
    again = client.post(POST_URL, data=data)
    assert again.status_code == 422
    assert "The reserve of this month has been set already." in text(again)
    assert reserve_rows(db, tenants) == 1


def test_a_month_that_has_not_ended_is_refused_on_the_page(client_for, db, tenants, portfolio):
    client = client_of(client_for, TREASURER, lang="en")
    token = csrf_from(client.get(URL))
    data = {"csrf_token": token, "year": TODAY.year, "month": TODAY.month}
    response = client.post(POST_URL, data=data)
    assert response.status_code == 422
    assert "This month has not ended yet." in text(response)
    assert reserve_rows(db, tenants) == 0


def test_a_closed_month_is_refused_on_the_page(client_for, db, tenants, portfolio):
    with books_of(db, tenants.a) as session:
        ledger.close_period(
            session,
            LAST_MONTH_END.year,
            LAST_MONTH_END.month,
            user_id=tenants.a.users["bendahara"].id,
            today=TODAY,
        )
    client = client_of(client_for, TREASURER, lang="en")
    token = csrf_from(client.get(URL))
    data = {"csrf_token": token, "year": LAST_MONTH_END.year, "month": LAST_MONTH_END.month}
    response = client.post(POST_URL, data=data)
    assert response.status_code == 422
    assert "The books of this month are closed" in text(response)
    assert reserve_rows(db, tenants) == 0


def test_a_form_without_a_month_is_refused(client_for, db, tenants, portfolio):
    client = client_of(client_for, TREASURER, lang="en")
    token = csrf_from(client.get(URL))
    response = client.post(POST_URL, data={"csrf_token": token, "year": "x"})
    assert response.status_code == 422
    assert reserve_rows(db, tenants) == 0


def test_the_supervisor_reads_the_portfolio_but_cannot_post_the_reserve(
    client_for, db, tenants, portfolio
):
    client = client_of(client_for, SUPERVISOR, lang="en")
    page = client.get(URL)
    assert page.status_code == 200
    assert "Set the reserve of" not in text(page)
    assert client.get(POST_URL).status_code == 403
    token = csrf_from(page)
    data = {"csrf_token": token, "year": LAST_MONTH_END.year, "month": LAST_MONTH_END.month}
    assert client.post(POST_URL, data=data).status_code == 403
    assert reserve_rows(db, tenants) == 0


# -- the thresholds and reserve rates on the loans settings page ---------------------------------

SETTINGS_URL = "/kelola/pinjaman/pengaturan"
SAVE_URL = "/kelola/pinjaman/pengaturan/kolektibilitas"


def settings_form(**changes: str) -> dict[str, str]:
    form: dict[str, str] = {}
    for frequency, days in (
        ("monthly", (30, 60, 90)),
        ("weekly", (14, 28, 56)),
        ("daily", (7, 14, 30)),
    ):
        for grade, count in zip(("kurang_lancar", "diragukan", "macet"), days, strict=True):
            form[f"{frequency}-{grade}"] = str(count)
    form.update({"ppap-lancar": "0,5", "ppap-kurang_lancar": "12,5", "ppap-diragukan": "50"})
    form["ppap-macet"] = "100"
    return {**form, **changes}


def saved_settings(db, tenants) -> tuple[dict, dict]:
    with books_of(db, tenants.a) as session:
        settings = loans.get_settings(session)
        return dict(settings.arrears_days), dict(settings.ppap_bp)


def test_the_treasurer_sets_the_thresholds_and_reserve_rates(client_for, db, tenants):
    client = client_of(client_for, TREASURER, lang="en")
    token = csrf_from(client.get(SETTINGS_URL))
    response = client.post(SAVE_URL, data={"csrf_token": token, **settings_form()})
    assert response.status_code == 302
    days, rates = saved_settings(db, tenants)
    assert days == {"monthly": [30, 60, 90], "weekly": [14, 28, 56], "daily": [7, 14, 30]}
    assert rates == {"lancar": 50, "kurang_lancar": 1_250, "diragukan": 5_000, "macet": 10_000}
    page = text(client.get(SETTINGS_URL))
    assert hidden(page, "ppap-kurang_lancar") == "12,5"
    assert hidden(page, "weekly-macet") == "56"
    with books_of(db, tenants.a) as session:  # who approves loans is kept
        settings = loans.get_settings(session)
        assert (settings.approver_roles, settings.approvals_required) == (["bendahara", "ketua"], 2)


def test_the_supervisor_cannot_change_the_thresholds(client_for, db, tenants):
    before = saved_settings(db, tenants)
    client = client_of(client_for, SUPERVISOR, lang="en")
    token = csrf_from(client.get(URL))
    response = client.post(SAVE_URL, data={"csrf_token": token, **settings_form()})
    assert response.status_code == 403
    assert saved_settings(db, tenants) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("monthly-diragukan", "20", "Each class needs more days late than the one before it."),
        ("daily-macet", "", "Enter a whole number from 1 to 3650."),
        ("ppap-diragukan", "150", "Enter a percentage from 0 to 100, like 1,5."),
        ("ppap-macet", "banyak", "Enter a percentage from 0 to 100, like 1,5."),
    ],
)
def test_bad_thresholds_and_rates_are_refused_on_the_form(
    client_for, db, tenants, field, value, message
):
    before = saved_settings(db, tenants)
    client = client_of(client_for, TREASURER, lang="en")
    token = csrf_from(client.get(SETTINGS_URL))
    response = client.post(SAVE_URL, data={"csrf_token": token, **settings_form(**{field: value})})
    assert response.status_code == 422
    assert message in text(response)
    assert saved_settings(db, tenants) == before
