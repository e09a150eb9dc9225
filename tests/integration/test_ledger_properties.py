"""Random postings, reversals and retries against the real database (Hypothesis, stateful).

After every step: every entry balances, every account's balance equals the sum of its lines as
the model computed them, and no retried key ever made a second entry.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
)
from sqlalchemy import func, select

from saas.ledger import operations as ledger
from saas.ledger.models import MAX_AMOUNT, Account, JournalEntry, JournalLine
from saas.ledger.queries import _totals, account_balances
from saas.ledger.rules import LedgerError, Line, signed_balance

START = date(2026, 1, 1)
amounts = st.integers(min_value=1, max_value=MAX_AMOUNT // 10)


@pytest.fixture
def machine(db, tenants):
    a = tenants.a.tenant

    class Books(RuleBasedStateMachine):
        posted = Bundle("posted")  # (key, entry id)

        @initialize()
        def open_books(self) -> None:
            self.session = db.tenant_session(a.shard, a.schema_name).__enter__()
            self.savepoint = self.session.begin_nested()
            self.accounts = list(
                self.session.scalars(select(Account).where(Account.is_header.is_(False)))
            )
            # The tenant's own entries from the fixtures are the starting point.
            start = _totals(self.session)
            self.expected = {a.id: start.get(a.id, (0, 0)) for a in self.accounts}
            self.existing = self.session.scalar(select(func.count()).select_from(JournalEntry))
            self.entries: dict[uuid.UUID, int] = {}
            self.lines_of: dict[int, list[Line]] = {}
            self.reversed: set[int] = set()

        def teardown(self) -> None:
            if hasattr(self, "session"):
                self.savepoint.rollback()
                self.session.__exit__(None, None, None)

        def _apply(self, lines: list[Line]) -> None:
            for line in lines:
                d, c = self.expected[line.account_id]
                self.expected[line.account_id] = (d + line.debit, c + line.credit)

        @rule(
            target=posted,
            data=st.data(),
            splits=st.lists(amounts, min_size=1, max_size=4),
            days=st.integers(min_value=0, max_value=360),
        )
        def post(self, data, splits, days):
            """A debit split over up to four accounts against one credit (or the other way)."""
            credit = data.draw(st.sampled_from(self.accounts))
            debits = data.draw(
                st.lists(
                    st.sampled_from([a for a in self.accounts if a.id != credit.id]),
                    min_size=len(splits),
                    max_size=len(splits),
                )
            )
            lines = [Line(account.id, debit=x) for account, x in zip(debits, splits, strict=True)]
            lines.append(Line(credit.id, credit=sum(splits)))
            key = uuid.uuid4()
            result = ledger.post_entry(
                self.session,
                entry_date=START + timedelta(days=days),
                description="acak",
                lines=lines,
                idempotency_key=key,
            )
            assert result.created
            self._apply(lines)
            self.entries[key] = result.entry.id
            self.lines_of[result.entry.id] = lines
            return key, result.entry.id

        @rule(item=posted)
        def retry(self, item):
            """The same key again (a double tap, a resent form): the first entry, nothing new."""
            key, entry_id = item
            result = ledger.post_entry(
                self.session,
                entry_date=START,
                description="ulang",
                lines=[Line(self.accounts[0].id, debit=1), Line(self.accounts[1].id, credit=1)],
                idempotency_key=key,
            )
            assert (result.created, result.entry.id) == (False, entry_id)

        @rule(item=consumes(posted))
        def reverse(self, item):
            _key, entry_id = item
            entry = self.session.get_one(JournalEntry, entry_id)
            if entry_id in self.reversed:
                with pytest.raises(LedgerError):
                    ledger.reverse_entry(
                        self.session,
                        entry,
                        entry_date=START,
                        reason="x",
                        idempotency_key=uuid.uuid4(),
                    )
                return
            result = ledger.reverse_entry(
                self.session,
                entry,
                entry_date=START,
                reason="koreksi",
                idempotency_key=uuid.uuid4(),
            )
            assert result.entry.reverses_id == entry_id
            self.reversed.add(entry_id)
            # The model's own expectation: every line of the original on the other side.
            self._apply(
                [
                    Line(ln.account_id, debit=ln.credit, credit=ln.debit)
                    for ln in self.lines_of[entry_id]
                ]
            )

        @rule(amount=st.integers(min_value=1, max_value=10**6))
        def refuse_unbalanced(self, amount):
            before = self.session.scalar(select(func.count()).select_from(JournalEntry))
            with pytest.raises(LedgerError):
                ledger.post_entry(
                    self.session,
                    entry_date=START,
                    description="timpang",
                    lines=[
                        Line(self.accounts[0].id, debit=amount),
                        Line(self.accounts[1].id, credit=amount + 1),
                    ],
                    idempotency_key=uuid.uuid4(),
                )
            assert self.session.scalar(select(func.count()).select_from(JournalEntry)) == before

        @invariant()
        def every_entry_balances(self):
            if not hasattr(self, "session"):
                return
            unbalanced = self.session.execute(
                select(JournalLine.entry_id)
                .group_by(JournalLine.entry_id)
                .having(func.sum(JournalLine.debit) != func.sum(JournalLine.credit))
            ).all()
            assert unbalanced == []

        @invariant()
        def balances_are_the_sum_of_lines(self):
            if not hasattr(self, "session"):
                return
            balances = account_balances(self.session)
            for account in self.accounts:
                assert balances[account.id] == signed_balance(
                    account.kind, *self.expected[account.id]
                )

        @invariant()
        def retries_never_duplicate(self):
            if not hasattr(self, "session"):
                return
            count = self.session.scalar(select(func.count()).select_from(JournalEntry))
            assert count == self.existing + len(self.entries) + len(self.reversed)

    return Books


def test_random_postings_reversals_and_retries_keep_the_books_whole(machine):
    machine.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
