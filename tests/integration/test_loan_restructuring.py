"""Restructuring a loan: a new schedule for what it still owes, the old one kept with its
payments, a record of why, and the payments it rests on kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.ledger.rules import LedgerError
from saas.loans import collectibility, repayments, restructuring
from saas.loans.models import Collectibility, LoanInstalment
from tests.clock import TODAY
from tests.factories import books_of, refused_by_database
from tests.integration.lending import active_loan, pay


@pytest.fixture
def books(db, tenants) -> Iterator:
    with books_of(db, tenants.a) as session:
        yield session


def test_a_loan_in_arrears_gets_a_new_schedule_and_keeps_the_old_one(books, tenants):
    loan = active_loan(books, tenants)  # 6 x 224,000 from August; only August paid
    first = pay(books, loan, 224_000, date(2026, 8, 10))
    assert repayments.standing(books, loan, TODAY).overdue
    record = restructuring.restructure(
        books,
        loan,
        instalments=12,
        rate_bp=None,
        on=TODAY,
        reason="  Usaha   terdampak banjir ",
        user_id=tenants.a.users["ketua"].id,
    )
    assert (record.from_version, record.to_version, record.principal) == (1, 2, 1_000_000)
    assert record.reason == "Usaha terdampak banjir"
    now = repayments.standing(books, loan, TODAY)
    assert len(now.dues) == 12
    assert now.principal_left == 1_000_000
    assert not now.overdue
    versions = books.execute(
        select(LoanInstalment.version, func.count())
        .where(LoanInstalment.loan_id == loan.id)
        .group_by(LoanInstalment.version)
        .order_by(LoanInstalment.version)
    ).all()
    assert [tuple(row) for row in versions] == [(1, 6), (2, 12)]
    collectibility.assess(books, TODAY)
    books.refresh(loan)
    assert loan.collectibility is Collectibility.LANCAR
    with pytest.raises(LedgerError, match="restructured_since"):
        repayments.reverse(
            books,
            first.repayment,
            on=TODAY,
            reason="salah",
            idempotency_key=uuid.uuid4(),
            user_id=tenants.a.users["bendahara"].id,
        )
    assert [r.to_version for r in restructuring.history(books, loan)] == [2]


def test_a_restructuring_needs_a_reason_and_a_tenor_the_principal_can_carry(books, tenants):
    loan = active_loan(books, tenants)
    user = tenants.a.users["ketua"].id
    with pytest.raises(LedgerError, match="reason_required"):
        restructuring.restructure(
            books, loan, instalments=12, rate_bp=None, on=TODAY, reason=" ", user_id=user
        )
    with pytest.raises(LedgerError, match="tenor_out_of_range"):
        restructuring.restructure(
            books, loan, instalments=0, rate_bp=None, on=TODAY, reason="x", user_id=user
        )
    pay(books, loan, 6 * 224_000 - 3_000, date(2026, 8, 10))  # all but 3,000 of principal
    with pytest.raises(LedgerError, match="too_small_for_tenor"):
        restructuring.restructure(
            books, loan, instalments=12, rate_bp=None, on=TODAY, reason="x", user_id=user
        )


def test_the_database_keeps_a_restructuring_as_written(books, tenants):
    loan = active_loan(books, tenants)
    restructuring.restructure(
        books,
        loan,
        instalments=10,
        rate_bp=1_200,
        on=TODAY,
        reason="Panen gagal",
        user_id=tenants.a.users["ketua"].id,
    )
    books.flush()
    schema = tenants.a.tenant.schema_name
    for statement in ("UPDATE loan_restructures SET rate_bp = 0", "DELETE FROM loan_restructures"):
        assert "never changed" in refused_by_database(books, schema, statement)
