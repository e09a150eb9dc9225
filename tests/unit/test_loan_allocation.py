"""How a payment is split: never more than is owed, everything it can pay, and in order."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from saas.loans.models import Loan, PayoffRule
from saas.loans.repayments import COMPONENTS, Due, Standing, allocate

ON = date(2026, 12, 15)


@st.composite
def standings(draw: st.DrawFn) -> Standing:
    count = draw(st.integers(1, 12))
    first = ON - timedelta(days=30 * draw(st.integers(0, count)))
    dues = []
    for number in range(1, count + 1):
        principal = draw(st.integers(0, 500_000))
        interest = draw(st.integers(0 if principal else 1, 50_000))
        due = Due(number, number, first + timedelta(days=30 * number), principal, interest)
        due.late_fee = draw(st.integers(0, 20_000)) if due.due_date < ON else 0
        for component in COMPONENTS:
            setattr(due, f"paid_{component}", draw(st.integers(0, due.owed(component))))
        dues.append(due)
    return Standing(Loan(), ON, dues, draw(st.sampled_from(PayoffRule)))


@given(standings(), st.integers(1, 10_000_000))
def test_a_payment_is_split_over_what_is_owed_and_nothing_more(standing, amount):
    plans = allocate(standing, amount)
    assert sum(plan.total for plan in plans) == min(amount, standing.total_left)
    for plan in plans:
        for component in COMPONENTS:
            assert 0 <= getattr(plan, component) <= plan.due.owed(component)


@given(standings(), st.integers(1, 10_000_000))
def test_what_is_due_is_settled_late_fees_first_then_interest_then_principal(standing, amount):
    plans = {plan.due.instalment_id: plan for plan in allocate(standing, amount)}
    due_now = [due for due in standing.dues if due.due_date <= ON]

    def left(due, component):
        plan = plans.get(due.instalment_id)
        return due.owed(component) - (getattr(plan, component) if plan else 0)

    for later, earlier in ((1, 0), (2, 1), (2, 0)):
        if any(
            plans.get(d.instalment_id) and getattr(plans[d.instalment_id], COMPONENTS[later])
            for d in due_now
        ):
            assert all(left(due, COMPONENTS[earlier]) == 0 for due in due_now)
    ahead = [due for due in standing.dues if due.due_date > ON]
    if any(due.instalment_id in plans for due in ahead):
        assert all(left(due, component) == 0 for due in due_now for component in COMPONENTS)


@given(standings())
def test_a_payoff_takes_all_principal_and_the_interest_its_rule_asks(standing):
    plans = allocate(standing, None, payoff=True)
    assert sum(plan.principal for plan in plans) == standing.principal_left
    interest = sum(plan.interest for plan in plans)
    if standing.payoff_rule is PayoffRule.ALL_INTEREST:
        assert interest == sum(due.owed("interest") for due in standing.dues)
    else:
        ahead = [due for due in standing.dues if due.due_date > ON]
        waived = sum(due.owed("interest") for due in ahead[1:])
        assert interest == sum(due.owed("interest") for due in standing.dues) - waived
