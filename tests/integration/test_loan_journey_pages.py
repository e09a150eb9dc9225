"""What a loan's pages show later in its life, on the officers' page and on the member's own: a
restructured loan's new terms, and the next instalment of a loan in arrears."""

from __future__ import annotations

import pytest
from babel.dates import format_date

from saas.loans import restructuring
from saas.loans.models import Loan
from tests.factories import books_of, text
from tests.integration.test_loan_repayment_pages import (
    MEMBER,
    TREASURER,
    client_of,
    paid_out_days_ago,
    standing_of,
)
from tests.integration.test_pages_in_indonesian import english_on


@pytest.fixture
def restructured(db, tenants, today) -> int:
    """Sri's loan of 6 monthly instalments, 40 days old, rescheduled over 9 at 1,5% a year;
    Citra's member account is Sri's."""
    loan_id = paid_out_days_ago(db, tenants, today, 40)
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id
        restructuring.restructure(
            session,
            session.get_one(Loan, loan_id),
            instalments=9,
            rate_bp=150,
            on=today,
            reason="Panen gagal",
            user_id=tenants.a.users["ketua"].id,
        )
    return loan_id


@pytest.mark.parametrize(("who", "path"), [(TREASURER, "/kelola"), (MEMBER, "/anggota")])
def test_a_restructured_loans_terms_show_its_new_tenor_and_rate(
    client_for, restructured, who, path
):
    page = text(client_of(client_for, who).get(f"{path}/pinjaman/{restructured}"))
    terms = page.split("data-restructured>", 1)[1].split("</dd>", 1)[0]
    assert "9 angsuran" in terms
    assert "1,5%" in terms
    assert english_on(page) == []


@pytest.mark.parametrize(("who", "path"), [(TREASURER, "/kelola"), (MEMBER, "/anggota")])
def test_the_next_instalment_of_a_loan_in_arrears_is_the_one_still_to_come(
    client_for, db, tenants, today, who, path
):
    loan_id = paid_out_days_ago(db, tenants, today, 40)  # the first instalment is overdue
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id
        dues = standing_of(db, tenants, loan_id, today).dues
    overdue, upcoming = dues[0].due_date, dues[1].due_date
    assert overdue < today < upcoming
    page = text(client_of(client_for, who).get(f"{path}/pinjaman/{loan_id}"))
    shown = page.split("Angsuran berikutnya</dt>", 1)[1].split("</dd>", 1)[0]
    assert format_date(upcoming, "medium", locale="id") in shown
    assert format_date(overdue, "medium", locale="id") not in shown


def test_the_members_home_names_the_next_instalment_still_to_come(client_for, db, tenants, today):
    loan_id = paid_out_days_ago(db, tenants, today, 40)  # the first instalment is overdue
    with books_of(db, tenants.a) as session:
        session.merge(tenants.a.members[0]).user_id = tenants.a.users["anggota"].id
        dues = standing_of(db, tenants, loan_id, today).dues
    home = text(client_of(client_for, MEMBER).get("/anggota"))
    shown = home.split("berikutnya:", 1)[1].split("</li>", 1)[0]
    assert format_date(dues[1].due_date, "medium", locale="id") in shown
    assert format_date(dues[0].due_date, "medium", locale="id") not in shown
