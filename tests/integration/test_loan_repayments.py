"""Paying loans back: the split over fees, interest and principal, several instalments or part of
one, late fees, payoff under the product's rule, refusals, reversal restoring the schedule, and
interest counting in the member's jasa usaha."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.models import Account, JournalEntry
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans import repayments
from saas.loans.models import Loan, LoanRepayment, LoanStatus, PayoffRule, RepaymentMethod
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.shu import operations as shu
from tests.clock import TODAY
from tests.factories import books_of, hidden, login, refused_by_database, text
from tests.integration.lending import FLAT, PAID_OUT, active_loan, pay


@pytest.fixture
def books(db, tenants) -> Iterator:
    with books_of(db, tenants.a) as session:
        yield session


def refused(work) -> LedgerError:
    with pytest.raises(LedgerError) as error:
        work()
    return error.value


def split(result) -> list[tuple[int, int, int, int]]:
    return [(p.due.number, p.late_fee, p.interest, p.principal) for p in result.parts]


def test_one_instalment_on_time_pays_its_interest_and_principal(books, tenants):
    loan = active_loan(books, tenants)
    result = pay(books, loan, 224_000, date(2026, 8, 10))
    assert split(result) == [(1, 0, 24_000, 200_000)]
    entry = books.get_one(JournalEntry, result.repayment.entry_id)
    lines = {
        (books.get_one(Account, line.account_id).role, line.member_id): (line.debit, line.credit)
        for line in entry.lines
    }
    assert lines == {
        ("cash", None): (224_000, 0),
        ("loans_receivable", loan.member_id): (0, 200_000),
        ("loan_interest", loan.member_id): (0, 24_000),
    }
    assert result.repayment.number == f"KP-2026-{1:06d}"
    assert len(result.repayment.token) == 32


def test_several_instalments_at_once_and_part_of_the_next(books, tenants):
    loan = active_loan(books, tenants)
    result = pay(books, loan, 2 * 224_000 + 30_000, date(2026, 8, 10))
    # August is due: paid; then September and October ahead, each interest before principal.
    assert split(result) == [
        (1, 0, 24_000, 200_000),
        (2, 0, 24_000, 200_000),
        (3, 0, 24_000, 6_000),
    ]
    now = repayments.standing(books, loan, date(2026, 8, 10))
    assert now.next_due.number == 3
    assert now.next_due.outstanding == 194_000


def test_what_is_due_is_paid_fees_first_then_interest_then_principal(books, tenants):
    loan = active_loan(books, tenants)
    # Nothing paid in August or September; on 20 September both are late (grace: 3 days).
    on = date(2026, 9, 20)
    now = repayments.standing(books, loan, on)
    assert [due.late_fee for due in now.overdue] == [(41 - 3) * 1_000, (10 - 3) * 1_000]
    result = pay(books, loan, 38_000 + 7_000 + 48_000 + 10_000, on)
    assert split(result) == [(1, 38_000, 24_000, 10_000), (2, 7_000, 24_000, 0)]
    lines = books.get_one(JournalEntry, result.repayment.entry_id).lines
    late = ledger.account_by_role(books, "late_fees").id
    assert sum(line.credit for line in lines if line.account_id == late) == 45_000


def test_a_late_fee_stops_growing_once_the_instalment_is_paid(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, 224_000 + 5_000, date(2026, 8, 18))  # 5 days late past the grace
    later = repayments.standing(books, loan, date(2026, 12, 1))
    first = later.dues[0]
    assert (first.late_fee, first.outstanding, first.settled_on) == (5_000, 0, date(2026, 8, 18))


def test_more_than_is_owed_is_refused_and_offered_as_the_payoff(books, tenants):
    loan = active_loan(books, tenants)
    on = date(2026, 8, 10)
    error = refused(lambda: pay(books, loan, 6 * 224_000 + 1, on))
    assert error.code == "more_than_owed"
    assert error.details["payoff"] == 6 * 224_000  # all interest: the product's rule
    assert books.scalar(select(func.count()).select_from(LoanRepayment)) == 0


def test_a_payoff_settles_the_loan_and_must_be_its_exact_amount(books, tenants):
    terms = loans.ProductTerms(**{**vars(FLAT), "payoff_rule": PayoffRule.CURRENT_INTEREST})
    loan = active_loan(books, tenants, terms)
    on = date(2026, 8, 20)  # August's instalment late by 7 days past grace; September running
    now = repayments.standing(books, loan, on)
    assert now.payoff == 7_000 + 24_000 + 24_000 + 1_200_000
    wrong = refused(lambda: pay(books, loan, now.payoff - 1, on, payoff=True))
    assert (wrong.code, wrong.details["payoff"]) == ("payoff_amount", now.payoff)
    result = pay(books, loan, now.payoff, on, payoff=True)
    assert result.repayment.is_payoff
    assert (result.repayment.principal, result.repayment.interest) == (1_200_000, 48_000)
    assert loan.status is LoanStatus.PAID_OFF
    assert refused(lambda: pay(books, loan, 1_000, on)).code == "not_active"


def test_paying_the_last_principal_pays_the_loan_off(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, 6 * 224_000, date(2026, 8, 10))
    assert loan.status is LoanStatus.PAID_OFF


def test_reversing_a_payment_restores_the_schedule_exactly(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, 224_000, date(2026, 8, 10))
    on = date(2026, 9, 25)
    before = repayments.standing(books, loan, on).dues
    second = pay(books, loan, 6 * 224_000 - 224_000 + 12_000, on)  # the rest, with late fees
    assert loan.status is LoanStatus.PAID_OFF
    repayments.reverse(
        books,
        second.repayment,
        on=on,
        reason="Salah catat",
        idempotency_key=uuid.uuid4(),
        user_id=tenants.a.users["bendahara"].id,
    )
    assert repayments.standing(books, loan, on).dues == before
    assert loan.status is LoanStatus.ACTIVE
    assert second.repayment.reversal is not None


def test_a_payment_is_posted_once_per_key(books, tenants):
    loan = active_loan(books, tenants)
    key = uuid.uuid4()
    first = pay(books, loan, 100_000, date(2026, 8, 10), key=key)
    again = pay(books, loan, 100_000, date(2026, 8, 10), key=key)
    assert (again.created, again.repayment.id) == (False, first.repayment.id)
    assert books.scalar(select(func.count()).select_from(LoanRepayment)) == 1


def test_a_payment_into_a_closed_month_is_refused(books, tenants):
    loan = active_loan(books, tenants)
    ledger.close_period(books, 2026, 8, user_id=tenants.a.users["bendahara"].id, today=TODAY)
    assert refused(lambda: pay(books, loan, 224_000, date(2026, 8, 10))).code == "period_closed"
    assert refused(lambda: pay(books, loan, 224_000, date(2026, 7, 1))).code in (
        "before_payout",
        "period_closed",
    )


def test_interest_paid_counts_in_the_members_jasa_usaha(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, 3 * 224_000, date(2026, 8, 10))
    assert shu._transactions(books, 2026)[loan.member_id] >= 3 * 24_000


def test_the_database_keeps_payments_as_written(books, tenants):
    loan = active_loan(books, tenants)
    pay(books, loan, 224_000, date(2026, 8, 10))
    books.flush()
    schema = tenants.a.tenant.schema_name
    for statement in (
        "UPDATE loan_repayments SET amount = amount + 1",
        "DELETE FROM loan_repayments",
        "UPDATE loan_repayment_parts SET principal = 0",
        "DELETE FROM loan_repayment_parts",
    ):
        assert "never changed" in refused_by_database(books, schema, statement), statement
    entry = books.get_one(JournalEntry, loan.disbursement_entry_id)
    owned = refused(
        lambda: ledger.reverse_entry(
            books, entry, entry_date=TODAY, reason="x", idempotency_key=uuid.uuid4()
        )
    )
    assert owned.code == "owned_entry"


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}"  # as the English pages write it


def deposit(session, tenants, member_id, kind, amount, on):
    savings.deposit(
        session,
        savings.Movement(
            member=session.get_one(Member, member_id),
            kind=kind,
            amount=amount,
            method=PaymentMethod.CASH,
            paid_on=on,
            idempotency_key=uuid.uuid4(),
            officer_id=tenants.a.users["bendahara"].id,
            officer_name="Bambang Alpha",
        ),
    )


def exit_member(client, member_id):
    page = text(client.get(f"/kelola/anggota/{member_id}/keluar"))
    response = client.post(
        f"/kelola/anggota/{member_id}/keluar",
        data={
            "left_on": TODAY.isoformat(),
            "reason": "Pindah ke kota",
            "method": "cash",
            "key": hidden(page, "key"),
            "csrf_token": hidden(page, "csrf_token"),
        },
    )
    return page, response


def test_a_leaving_members_loan_is_paid_off_from_their_savings_before_the_rest_is_paid_back(
    alpha, db, tenants
):
    with books_of(db, tenants.a) as session:
        loan = active_loan(session, tenants)
        member_id = loan.member_id
        deposit(session, tenants, member_id, SavingsKind.SUKARELA, 2_000_000, PAID_OUT)
        deposit(session, tenants, member_id, SavingsKind.POKOK, 100_000, PAID_OUT)
        payoff = repayments.standing(session, loan, TODAY).payoff
        held = sum(savings.balances(session, member_id).values())
    login(alpha, "bambang@kopalpha.id")
    page, response = exit_member(alpha, member_id)
    assert rupiah(payoff) in page
    assert rupiah(held - payoff) in page
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        settled = session.get_one(Loan, loan.id)
        assert settled.status is LoanStatus.PAID_OFF
        (offset,) = repayments.repayments_of(session, settled)
        assert (offset.method, offset.amount, offset.is_payoff) == (
            RepaymentMethod.SAVINGS,
            payoff,
            True,
        )
        assert all(amount == 0 for amount in savings.balances(session, member_id).values())


def test_savings_short_of_the_loans_pay_what_they_can_and_the_rest_stays_owed(alpha, db, tenants):
    with books_of(db, tenants.a) as session:
        loan = active_loan(session, tenants)
        member_id = loan.member_id
        deposit(session, tenants, member_id, SavingsKind.SUKARELA, 300_000, PAID_OUT)
        payoff = repayments.standing(session, loan, TODAY).payoff
    login(alpha, "bambang@kopalpha.id")
    page, response = exit_member(alpha, member_id)
    assert rupiah(payoff - 300_000) in page  # what stays owed, said before confirming
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        still = session.get_one(Loan, loan.id)
        assert still.status is LoanStatus.ACTIVE
        assert repayments.standing(session, still, TODAY).total_left == payoff - 300_000
