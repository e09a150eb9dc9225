"""What the loan journey's pages show after its later steps: a restructured loan's terms on the
officers' page and on the member's own."""

from __future__ import annotations

import pytest

from saas.loans import restructuring
from saas.loans.models import Loan
from tests.factories import books_of, text
from tests.integration.test_loan_repayment_pages import (
    MEMBER,
    TREASURER,
    client_of,
    paid_out_days_ago,
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
