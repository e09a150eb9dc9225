"""What the active loans owe, read for the whole portfolio in one statement: the week's
reminders and the instalments due for the QRIS confirmation, the same as each loan's standing."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from saas.loans import queries, repayments, restructuring
from saas.loans.models import Loan, LoanStatus
from saas.payments.queries import instalments_due
from tests.factories import books_of
from tests.integration.lending import active_loan, pay

ON = date(2026, 12, 15)  # fixed, so each loan keeps its story on any day the suite runs
UNTIL = ON + timedelta(days=queries.REMINDER_DAYS - 1)


@pytest.fixture
def portfolio(db, tenants):
    """Loans of both members in every state a reminder meets: unpaid, part paid, paid late
    with its late fee taken first, an instalment settled late in full, paid ahead,
    restructured, a payment reversed, paid off, and not yet due."""
    with books_of(db, tenants.a) as session:
        treasurer = tenants.a.users["bendahara"].id
        active_loan(session, tenants)  # unpaid since August
        part = active_loan(session, tenants, member=1, on=date(2026, 9, 12))
        pay(session, part, 150_000, date(2026, 10, 12))
        late = active_loan(session, tenants, on=date(2026, 10, 20))
        settled = date(2026, 12, 1)  # November's instalment, 11 days late
        pay(session, late, 224_000, settled)
        slow = active_loan(session, tenants, member=1, on=date(2026, 9, 1))
        paid_late = date(2026, 10, 9)  # October's instalment in full, late fee and all
        pay(session, slow, repayments.standing(session, slow, paid_late).due_now, paid_late)
        ahead = active_loan(session, tenants, member=1, on=date(2026, 11, 1))
        pay(session, ahead, 500_000, date(2026, 11, 2))
        moved = active_loan(session, tenants, on=date(2026, 6, 20))
        restructuring.restructure(
            session,
            moved,
            instalments=10,
            rate_bp=None,
            on=date(2026, 11, 5),
            reason="Gagal panen",
            user_id=treasurer,
        )
        undone = active_loan(session, tenants, member=1, on=date(2026, 10, 8))
        made = pay(session, undone, 224_000, date(2026, 11, 8)).repayment
        repayments.reverse(
            session,
            made,
            on=date(2026, 11, 9),
            reason="Salah catat",
            idempotency_key=uuid.uuid4(),
            user_id=treasurer,
        )
        done = active_loan(session, tenants, on=date(2026, 8, 1))
        pay(session, done, repayments.standing(session, done, ON).payoff, ON, payoff=True)
        active_loan(session, tenants, member=1, on=ON)  # first due in a month
        session.commit()
    with books_of(db, tenants.a) as session:
        yield session


def expected_reminders(session) -> list[tuple[int, int, date, bool]]:
    """The week's reminders as each loan's own standing gives them."""
    found = []
    for loan in session.scalars(select(Loan).where(Loan.status == LoanStatus.ACTIVE)):
        dues = repayments.standing(session, loan, ON).dues
        owed = [due for due in dues if due.due_date <= UNTIL and due.outstanding > 0]
        if owed:
            first = owed[0].due_date
            found.append((loan.id, sum(due.outstanding for due in owed), first, first < ON))
    return sorted(found, key=lambda r: (not r[3], r[2], r[0]))


def test_the_weeks_reminders_match_each_loans_standing(portfolio, tenants):
    reminders = queries.reminders(portfolio, ON)
    got = [(r.loan.id, r.amount, r.due_date, r.overdue) for r in reminders]
    assert sorted(got) == sorted(expected_reminders(portfolio))
    # All but the loan paid off, the one paid ahead past the week and the one not yet due.
    assert len(got) == 6
    assert {r.member.id for r in reminders} == {m.id for m in tenants.a.members[:2]}
    assert [r.overdue for r in reminders] == sorted((r.overdue for r in reminders), reverse=True)


def test_the_instalments_due_today_match_each_loans_standing(portfolio):
    due = instalments_due(portfolio, ON)
    active = portfolio.scalars(select(Loan).where(Loan.status == LoanStatus.ACTIVE))
    owed = {loan.id: repayments.standing(portfolio, loan, ON).due_now for loan in active}
    assert {d.loan.id: d.amount for d in due} == {k: v for k, v in owed.items() if v > 0}
    keys = [(d.member.number, d.loan.id) for d in due]
    assert keys == sorted(keys)  # by member number, then loan


def test_the_whole_portfolio_is_read_in_one_statement(portfolio):
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE")):  # the test's own transaction
            statements.append(statement)

    engine = portfolio.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert queries.reminders(portfolio, ON)
        assert instalments_due(portfolio, ON)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2
