"""Random postings, reversals, retries and month closings on committed books (Hypothesis,
stateful).

Every step commits or rolls back as a request does, so the database's deferred checks run at a
real COMMIT. After every step: every entry balances, every account's balance is what the model
computed, cash and bank never go below zero, no retried key made a second entry, and a closed
month's figures never change.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError

from saas.accounts.operations import create_tenant_user
from saas.accounts.roles import Role
from saas.db import Databases, get_databases
from saas.ledger import operations as ledger
from saas.ledger.models import MAX_AMOUNT, Account, JournalEntry, JournalLine
from saas.ledger.queries import _line_totals, _totals, account_balances
from saas.ledger.rules import CASH_ROLES, LedgerError, Line, signed_balance
from saas.tenants import schemas
from saas.tenants.models import Tenant
from saas.tenants.provisioning import provision_tenant

pytestmark = pytest.mark.committed

T = TypeVar("T")
START = date(2026, 1, 1)
TODAY = date(2027, 1, 1)  # every month of 2026 has ended and can be closed
amounts = st.integers(min_value=1, max_value=MAX_AMOUNT // 10)


@pytest.fixture
def databases(app) -> Iterator[Databases]:
    with app.app_context():
        yield get_databases()


@pytest.fixture
def machine(app, databases):
    config = app.extensions["guyub.settings"]

    class Books(RuleBasedStateMachine):
        posted = Bundle("posted")  # (key, entry id)

        @initialize()
        def open_books(self) -> None:
            """A new cooperative for every run: its books start empty and are committed."""
            slug = f"acak-{uuid.uuid4().hex[:8]}"
            self.tenant = provision_tenant(databases, config, slug=slug, display_name="Acak")
            self.session = databases.tenant_session(
                self.tenant.shard, self.tenant.schema_name
            ).__enter__()
            self.officer = create_tenant_user(
                self.session,
                name="Bendahara",
                email=f"{slug}@acak.id",
                role=Role.BENDAHARA,
                password=None,
            ).id
            self.accounts = list(
                self.session.scalars(select(Account).where(Account.is_header.is_(False)))
            )
            self.money = {a.id for a in self.accounts if a.role in CASH_ROLES}
            self.expected = {a.id: (0, 0) for a in self.accounts}
            self.entries: dict[uuid.UUID, int] = {}
            self.lines_of: dict[int, list[Line]] = {}
            self.reversals: dict[int, int] = {}  # entry id -> its reversal's id
            self.months: set[tuple[int, int]] = set()  # the months with a period row
            self.closed_months: set[tuple[int, int]] = set()
            self.closed_through: date | None = None  # the last day of the last closed month
            self.closed_totals: dict[int, tuple[int, int]] = {}
            self.session.commit()

        def teardown(self) -> None:
            if not hasattr(self, "tenant"):
                return
            self.session.__exit__(None, None, None)
            with databases.shard_transaction(self.tenant.shard) as connection:
                schemas.drop_schema(connection, self.tenant.schema_name)
            with databases.platform_session() as session:
                session.execute(delete(Tenant).where(Tenant.id == self.tenant.id))
                session.commit()

        # -- the model ---------------------------------------------------------------------------

        def _apply(self, lines: list[Line]) -> None:
            for line in lines:
                d, c = self.expected[line.account_id]
                self.expected[line.account_id] = (d + line.debit, c + line.credit)

        def _refusals(self, lines: list[Line], day: date) -> set[str]:
            """Why the model expects the posting refused (empty: it posts)."""
            reasons = set()
            for account_id in self.money:
                d, c = self.expected[account_id]
                out = sum(ln.credit - ln.debit for ln in lines if ln.account_id == account_id)
                if out > 0 and out > d - c:
                    reasons.add("not_enough_money")
            if self.closed_through is not None and day <= self.closed_through:
                reasons.add("period_closed")
            return reasons

        def _first_open_day(self) -> date:
            return START if self.closed_through is None else self.closed_through + timedelta(1)

        def _attempt(self, call: Callable[[], T]) -> tuple[str | None, T | None]:
            """Run an operation as a request would: commit (the deferred balance check runs
            here, for real), or roll back what the rules refused and say why."""
            try:
                result = call()
            except LedgerError as refused:
                self.session.rollback()
                return refused.code, None
            self.session.commit()
            return None, result

        def _post(self, lines: list[Line], day: date, key: uuid.UUID) -> int | None:
            expected = self._refusals(lines, day)
            refusal, result = self._attempt(
                lambda: ledger.post_entry(
                    self.session,
                    entry_date=day,
                    description="acak",
                    lines=lines,
                    idempotency_key=key,
                    posted_by_id=self.officer,
                )
            )
            if result is None:
                assert refusal in expected
                return None
            assert expected == set()
            assert result.created
            self._apply(lines)
            self.entries[key] = result.entry.id
            self.months.add((day.year, day.month))
            self.lines_of[result.entry.id] = lines
            return result.entry.id

        # -- the rules ---------------------------------------------------------------------------

        @rule(
            target=posted,
            data=st.data(),
            splits=st.lists(amounts, min_size=1, max_size=4),
            days=st.integers(min_value=0, max_value=364),
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
            entry_id = self._post(lines, START + timedelta(days=days), key)
            return multiple() if entry_id is None else (key, entry_id)

        @rule(item=posted)
        def retry(self, item):
            """The same key again (a double tap, a resent form): the first entry, nothing new,
            even when the same posting would be refused now."""
            key, entry_id = item
            result = ledger.post_entry(
                self.session,
                entry_date=START,
                description="ulang",
                lines=[Line(self.accounts[0].id, debit=1), Line(self.accounts[1].id, credit=1)],
                idempotency_key=key,
            )
            self.session.rollback()
            assert (result.created, result.entry.id) == (False, entry_id)

        @rule(target=posted, item=posted)
        def reverse(self, item):
            """Reverse any entry: once only, never a reversal, never with money not held."""
            _key, entry_id = item
            entry = self.session.get_one(JournalEntry, entry_id)
            day = self._first_open_day()
            swapped = [
                Line(ln.account_id, debit=ln.credit, credit=ln.debit)
                for ln in self.lines_of[entry_id]
            ]
            expected = self._refusals(swapped, day)
            if entry_id in self.reversals:
                expected = {"already_reversed"}
            elif entry_id in self.reversals.values():
                expected = {"reversal_of_reversal"}
            key = uuid.uuid4()
            refusal, result = self._attempt(
                lambda: ledger.reverse_entry(
                    self.session, entry, entry_date=day, reason="koreksi", idempotency_key=key
                )
            )
            if result is None:
                assert refusal in expected
                return multiple()
            assert expected == set()
            assert result.entry.reverses_id == entry_id
            self._apply(swapped)  # every line of the original on the other side
            self.reversals[entry_id] = result.entry.id
            self.months.add((day.year, day.month))
            self.lines_of[result.entry.id] = swapped
            return key, result.entry.id

        @rule(month=st.integers(min_value=1, max_value=12))
        def close_month(self, month):
            """Close a month of 2026 (and every month before it)."""
            last_day = date(2026, month, calendar.monthrange(2026, month)[1])
            # A month without a row yet (nothing posted in it) stays open until closed itself.
            already = (2026, month) in self.closed_months
            refusal, _period = self._attempt(
                lambda: ledger.close_period(
                    self.session, 2026, month, user_id=self.officer, today=TODAY
                )
            )
            assert refusal == ("already_closed" if already else None)
            if already:
                return
            self.closed_months |= {m for m in self.months if m <= (2026, month)} | {(2026, month)}
            self.months.add((2026, month))
            self.closed_through = max(self.closed_through or last_day, last_day)
            self.closed_totals = _totals(self.session, until=self.closed_through)

        @rule(amount=st.integers(min_value=1, max_value=10**6))
        def refuse_unbalanced(self, amount):
            with pytest.raises(LedgerError):
                ledger.post_entry(
                    self.session,
                    entry_date=self._first_open_day(),
                    description="timpang",
                    lines=[
                        Line(self.accounts[0].id, debit=amount),
                        Line(self.accounts[1].id, credit=amount + 1),
                    ],
                    idempotency_key=uuid.uuid4(),
                )
            self.session.rollback()

        @rule(item=posted, amount=st.integers(min_value=1, max_value=10**6))
        def tamper(self, item, amount):
            """Raw SQL, around the app: a balanced pair of lines added to a committed entry, and
            the last closed month reopened. The database refuses both."""
            _key, entry_id = item
            schema = self.tenant.schema_name
            day = self.session.get_one(JournalEntry, entry_id).entry_date
            statements = [
                f'INSERT INTO "{schema}".journal_lines '
                "(entry_id, account_id, entry_date, debit, credit, line_no) VALUES "
                f"({entry_id}, {self.accounts[0].id}, DATE '{day}', {amount}, 0, 8), "
                f"({entry_id}, {self.accounts[1].id}, DATE '{day}', 0, {amount}, 9)",
                f'UPDATE "{schema}".periods SET closed_at = NULL WHERE closed_at IS NOT NULL',
            ]
            for statement in statements[: 2 if self.closed_through else 1]:
                with pytest.raises(DBAPIError, match=r"never added|closed for good"):
                    self.session.execute(text(statement))
                self.session.rollback()

        # -- what always holds -------------------------------------------------------------------

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
        def balances_are_what_the_model_computed(self):
            if not hasattr(self, "session"):
                return
            balances = account_balances(self.session)
            for account in self.accounts:
                assert balances[account.id] == signed_balance(
                    account.kind, *self.expected[account.id]
                )
            assert all(balances[account_id] >= 0 for account_id in self.money)

        @invariant()
        def retries_never_duplicate(self):
            if not hasattr(self, "session"):
                return
            count = self.session.scalar(select(func.count()).select_from(JournalEntry))
            assert count == len(self.entries) + len(self.reversals)

        @invariant()
        def a_closed_month_never_changes(self):
            if not hasattr(self, "session") or self.closed_through is None:
                return
            assert _totals(self.session, until=self.closed_through) == self.closed_totals

        @invariant()
        def closed_months_totals_are_their_lines_sums(self):
            if not hasattr(self, "session") or self.closed_through is None:
                return
            ends = [self.closed_through, self.closed_through + timedelta(days=20), TODAY]
            for since in (None, START, self.closed_through - timedelta(days=40)):
                for until in ends:
                    found = _totals(self.session, since=since, until=until)
                    assert found == _line_totals(self.session, since=since, until=until)

    return Books


def test_random_postings_reversals_retries_and_closings_keep_the_books_whole(machine):
    machine.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    machine.TestCase().runTest()
