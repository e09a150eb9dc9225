"""The ledger engine against a real PostgreSQL: balanced, immutable, idempotent, period-safe."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from saas.ledger import operations as ledger
from saas.ledger.models import Account, JournalEntry, JournalLine
from saas.ledger.queries import account_balances, trial_balance
from saas.ledger.rules import CHART_TEMPLATE, LedgerError, Line


@pytest.fixture
def books(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        # Raw SQL below names tables as a psql session in the tenant's schema would.
        session.execute(
            text("SELECT set_config('search_path', :schema, true)"), {"schema": a.schema_name}
        )
        yield session


def role(session, name: str) -> int:
    return ledger.account_by_role(session, name).id


def deposit(session, amount=50_000, day=date(2026, 10, 5), key=None):
    """Cash in, voluntary savings up: the simplest real posting."""
    return ledger.post_entry(
        session,
        entry_date=day,
        description="Setoran sukarela",
        lines=[
            Line(role(session, "cash"), debit=amount),
            Line(role(session, "savings_sukarela"), credit=amount),
        ],
        idempotency_key=key or uuid.uuid4(),
    )


def test_every_new_cooperative_starts_with_the_template_chart(db, tenants):
    for data in (tenants.a, tenants.b):
        t = data.tenant
        with db.tenant_session(t.shard, t.schema_name) as session:
            codes = set(session.scalars(select(Account.code)))
            own = {account.code for account in data.accounts}  # added by the fixtures
            assert codes == {account.code for account in CHART_TEMPLATE} | own
            cash = ledger.account_by_role(session, "cash")
            assert (cash.code, cash.is_header, cash.name) == ("1-101", False, None)
            parent = session.get(Account, cash.parent_id)
            assert (parent.code, parent.is_header) == ("1-100", True)
            orphans = session.scalars(select(Account.code).where(Account.parent_id.is_(None)))
            assert sorted(orphans) == ["1", "2", "3", "4", "5", "6"]


def entry_count(session) -> int:
    return session.scalar(select(func.count()).select_from(JournalEntry))


def test_a_posting_is_balanced_and_a_retry_posts_nothing(books):
    before, balances_before = entry_count(books), account_balances(books)
    key = uuid.uuid4()
    first = deposit(books, key=key)
    books.commit()
    again = deposit(books, key=key)
    assert first.created
    assert not again.created
    assert again.entry.id == first.entry.id
    assert entry_count(books) == before + 1
    balances = account_balances(books)
    cash, sukarela = role(books, "cash"), role(books, "savings_sukarela")
    assert balances[cash] - balances_before[cash] == 50_000
    assert balances[sukarela] - balances_before[sukarela] == 50_000  # on its normal (credit) side


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([(1, 100, 0)], "too_few_lines"),
        ([(1, 100, 0), (2, 0, 90)], "unbalanced"),
        ([(1, -100, 0), (2, 0, -100)], "one_side"),
        ([(1, 100, 100), (2, 0, 0)], "one_side"),
        ([(1, 0, 0), (2, 0, 0)], "one_side"),
        ([(1, 2_000_000_000_000, 0), (2, 0, 2_000_000_000_000)], "too_large"),
        ([(1, 10.5, 0), (2, 0, 10.5)], "not_rupiah"),
    ],
)
def test_lines_that_cannot_be_an_entry_are_refused_before_the_database(books, lines, code):
    accounts = [role(books, "cash"), role(books, "savings_sukarela")]
    with pytest.raises(LedgerError) as refused:
        ledger.post_entry(
            books,
            entry_date=date(2026, 10, 5),
            description="x",
            lines=[Line(accounts[i - 1], debit=d, credit=c) for i, d, c in lines],
            idempotency_key=uuid.uuid4(),
        )
    assert refused.value.code == code


def test_header_accounts_take_no_postings(books):
    header = books.scalar(select(Account).where(Account.code == "1-100"))
    with pytest.raises(LedgerError) as refused:
        ledger.post_entry(
            books,
            entry_date=date(2026, 10, 5),
            description="x",
            lines=[Line(header.id, debit=5), Line(role(books, "savings_sukarela"), credit=5)],
            idempotency_key=uuid.uuid4(),
        )
    assert refused.value.code == "bad_account"


def raw_entry(session, day: date) -> int:
    """An entry row written around the operations layer, as a buggy script would."""
    return session.execute(
        JournalEntry.__table__.insert()
        .values(
            entry_date=day,
            description="x",
            source="manual",
            idempotency_key=uuid.uuid4(),
            posted_at=func.now(),
        )
        .returning(JournalEntry.__table__.c.id)
    ).scalar_one()


def raw_lines(session, entry_id: int, day: date, *sides: tuple[int, int, int]) -> None:
    """Lines written by hand in one INSERT, as a buggy script or a psql session would."""
    values = ", ".join(
        f"({entry_id}, {account}, DATE '{day.isoformat()}', {debit}, {credit}, {number})"
        for number, (account, debit, credit) in enumerate(sides, start=1)
    )
    session.execute(
        text(
            "INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit, line_no) "
            f"VALUES {values}"
        )
    )


def refused(session, pattern: str, write) -> None:
    """``write`` fails, at once or when committed, with a message matching ``pattern``."""

    def write_and_commit() -> None:
        write()
        session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # what COMMIT does

    nested = session.begin_nested()
    with pytest.raises(DBAPIError, match=pattern):
        write_and_commit()
    nested.rollback()


def test_the_database_refuses_an_unbalanced_entry_written_around_the_code(books):
    cash, bank = role(books, "cash"), role(books, "bank")
    day = date(2026, 10, 5)
    entry_id = raw_entry(books, day)
    refused(
        books,
        "does not balance: 2 lines",
        lambda: raw_lines(books, entry_id, day, (cash, 100, 0), (bank, 0, 90)),
    )
    refused(
        books, "does not balance: 1 lines", lambda: raw_lines(books, entry_id, day, (cash, 100, 0))
    )


def test_no_session_setting_lets_an_unbalanced_entry_through(books):
    cash, bank = role(books, "cash"), role(books, "bank")
    day = date(2026, 10, 5)
    entry_id = raw_entry(books, day)
    schema = books.execute(text("SELECT current_schema()")).scalar_one()

    def forged() -> None:
        raw_lines(books, entry_id, day, (cash, 100, 0), (bank, 0, 90))
        # Before COMMIT, a setting that once marked an entry as checked.
        books.execute(
            text("SELECT set_config('guyub.balanced_entry', :value, true)"),
            {"value": f"{schema}.{entry_id}"},
        )

    refused(books, "does not balance", forged)


def test_no_line_joins_an_entry_once_its_lines_are_written(books, tenants):
    posted = deposit(books).entry
    books.flush()
    cash, bank = role(books, "cash"), role(books, "bank")
    day = posted.entry_date
    extra = (cash, 1, 0), (bank, 0, 1)  # balanced on their own, so only the rule stops them
    refused(books, "lines are never added", lambda: raw_lines(books, posted.id, day, *extra))
    books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the entry's own check has passed
    refused(books, "lines are never added", lambda: raw_lines(books, posted.id, day, *extra))
    books.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    # Nor later, in a month closed since: its trial balance stays what it was.
    books.commit()
    user = tenants.a.users["bendahara"].id
    ledger.close_period(books, 2026, 10, user_id=user, today=date(2026, 11, 29))
    before = trial_balance(books, date(2026, 10, 31))
    refused(books, "lines are never added", lambda: raw_lines(books, posted.id, day, *extra))
    assert trial_balance(books, date(2026, 10, 31)) == before


def test_the_database_refuses_an_entry_whose_lines_come_in_two_statements(books):
    cash, bank = role(books, "cash"), role(books, "bank")
    day = date(2026, 10, 5)
    entry_id = raw_entry(books, day)

    def halves() -> None:
        raw_lines(books, entry_id, day, (cash, 100, 0), (bank, 0, 60))
        raw_lines(books, entry_id, day, (bank, 0, 40))

    refused(books, "does not balance: 2 lines", halves)


def test_a_line_carries_its_entrys_date(books, tenants):
    cash, bank = role(books, "cash"), role(books, "bank")
    entry_id = raw_entry(books, date(2026, 11, 5))
    # Dated in October, which a report of October would read, while the entry is in November.
    october = date(2026, 10, 5)
    refused(
        books,
        "not dated 2026-11-05",
        lambda: raw_lines(books, entry_id, october, (cash, 100, 0), (bank, 0, 100)),
    )


def test_a_closed_period_is_never_reopened_or_removed(books, tenants):
    user = tenants.a.users["bendahara"].id
    deposit(books, day=date(2026, 9, 30))
    books.commit()
    ledger.close_period(books, 2026, 9, user_id=user, today=date(2026, 11, 29))
    books.execute(text("INSERT INTO periods (year, month) VALUES (2026, 12)"))
    statements = [
        ("closed for good", "UPDATE periods SET closed_at = NULL WHERE (year, month) = (2026, 9)"),
        ("closed for good", "UPDATE periods SET closed_by_id = NULL WHERE closed_at IS NOT NULL"),
        ("closed for good", "DELETE FROM periods WHERE (year, month) = (2026, 9)"),
        ("another month", "UPDATE periods SET month = 8 WHERE (year, month) = (2026, 12)"),
        ("never removed", "TRUNCATE periods CASCADE"),
    ]
    for pattern, statement in statements:
        refused(books, pattern, lambda statement=statement: books.execute(text(statement)))
    assert ledger.first_open_day(books) == date(2026, 10, 1)
    with pytest.raises(LedgerError) as closed:
        deposit(books, day=date(2026, 9, 30))
    assert closed.value.code == "period_closed"


def test_the_database_refuses_an_entry_without_lines(books):
    raw_entry(books, date(2026, 10, 5))
    with pytest.raises(DBAPIError, match="does not balance: 0 lines"):
        books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))


def test_posted_entries_and_lines_cannot_be_changed_or_deleted(books):
    posted = deposit(books).entry
    books.flush()
    statements = [
        JournalEntry.__table__.update().values(description="edited"),
        JournalLine.__table__.update().values(debit=1),
        JournalLine.__table__.delete(),
        JournalEntry.__table__.delete(),
    ]
    for statement in statements:
        nested = books.begin_nested()
        with pytest.raises(DBAPIError, match="never changed"):
            books.execute(statement.where(statement.table.c.id >= posted.id))
        nested.rollback()


def test_a_reversal_undoes_an_entry_once(books):
    cash_before = account_balances(books)[role(books, "cash")]
    original = deposit(books, amount=75_000).entry
    reversal = ledger.reverse_entry(
        books,
        original,
        entry_date=date(2026, 10, 6),
        reason="salah input",
        idempotency_key=uuid.uuid4(),
    ).entry
    assert reversal.reverses_id == original.id
    assert [(line.debit, line.credit) for line in reversal.lines] == [(0, 75_000), (75_000, 0)]
    assert account_balances(books)[role(books, "cash")] == cash_before
    with pytest.raises(LedgerError) as twice:
        ledger.reverse_entry(
            books, original, entry_date=date(2026, 10, 6), reason="x", idempotency_key=uuid.uuid4()
        )
    assert twice.value.code == "already_reversed"
    with pytest.raises(LedgerError) as back:
        ledger.reverse_entry(
            books, reversal, entry_date=date(2026, 10, 6), reason="x", idempotency_key=uuid.uuid4()
        )
    assert back.value.code == "reversal_of_reversal"


def test_nothing_posts_into_a_closed_month_by_code_or_by_database(books, tenants):
    user = tenants.a.users["bendahara"].id
    deposit(books, day=date(2026, 9, 30))
    deposit(books, day=date(2026, 10, 31))
    books.commit()
    ledger.close_period(books, 2026, 10, user_id=user, today=date(2026, 11, 29))
    books.commit()
    with pytest.raises(LedgerError) as twice:
        ledger.close_period(books, 2026, 9, user_id=user, today=date(2026, 11, 29))
    assert twice.value.code == "already_closed"  # closing October closed September too
    for day in (date(2026, 10, 15), date(2026, 9, 1), date(2026, 2, 1)):  # February: no row
        with pytest.raises(LedgerError) as closed:
            deposit(books, day=day)
        assert closed.value.code == "period_closed"
        books.rollback()
        with pytest.raises(DBAPIError, match="is closed"):
            raw_entry(books, day)
        books.rollback()
    with pytest.raises(LedgerError) as unfinished:
        ledger.close_period(books, 2026, 11, user_id=user, today=date(2026, 11, 29))
    assert unfinished.value.code == "period_not_ended"
    assert ledger.first_open_day(books) == date(2026, 11, 1)


def test_the_trial_balance_always_balances(books):
    deposit(books, amount=120_000)
    ledger.post_entry(
        books,
        entry_date=date(2026, 10, 7),
        description="Bayar listrik",
        lines=[
            Line(books.scalar(select(Account.id).where(Account.code == "6-102")), debit=45_000),
            Line(role(books, "cash"), credit=45_000),
        ],
        idempotency_key=uuid.uuid4(),
    )
    rows = trial_balance(books, date(2026, 10, 31))
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows) == 120_000 + 45_000
    cash = next(r for r in rows if r.account.role == "cash")
    assert (cash.debit, cash.credit, cash.balance) == (120_000, 45_000, 75_000)


def test_accounts_with_postings_are_never_deleted(books):
    parent = books.scalar(select(Account).where(Account.code == "6"))
    fuel = ledger.add_account(books, parent=parent, code="6-108", name="  Bensin   motor ")
    assert (fuel.kind, fuel.name) == ("expense", "Bensin motor")
    ledger.post_entry(
        books,
        entry_date=date(2026, 10, 7),
        description="Bensin",
        lines=[Line(fuel.id, debit=20_000), Line(role(books, "cash"), credit=20_000)],
        idempotency_key=uuid.uuid4(),
    )
    with pytest.raises(LedgerError) as refused:
        ledger.remove_account(books, fuel)
    assert refused.value.code == "account_has_postings"
    with pytest.raises(LedgerError) as in_use:
        ledger.remove_account(books, ledger.account_by_role(books, "cash"))
    assert in_use.value.code == "account_has_role"
    with pytest.raises(LedgerError) as taken:
        ledger.add_account(books, parent=parent, code="6-108", name="Lagi")
    assert taken.value.code == "code_taken"
    books.commit()
    # The database refuses too, whatever code asks.
    table = Account.__table__
    with pytest.raises(IntegrityError, match="journal_lines"), books.begin_nested():
        books.execute(table.delete().where(table.c.id == fuel.id))
    assert books.get(Account, fuel.id) is not None


def test_tenants_books_are_apart(db, tenants):
    a, b = tenants.a.tenant, tenants.b.tenant
    with db.tenant_session(b.shard, b.schema_name) as session:
        before, balances_before = entry_count(session), account_balances(session)
    with db.tenant_session(a.shard, a.schema_name) as session:
        deposit(session, amount=99_000)
        session.commit()
    with db.tenant_session(b.shard, b.schema_name) as session:
        assert entry_count(session) == before
        assert account_balances(session) == balances_before


def test_a_payout_never_takes_cash_below_zero_and_its_retry_still_answers(books):
    cash = role(books, "cash")
    held = account_balances(books)[cash]
    expense = books.scalar(select(Account.id).where(Account.code == "6-102"))

    def pay(amount: int, key: uuid.UUID):
        return ledger.post_entry(
            books,
            entry_date=date(2026, 11, 5),
            description="Bayar listrik",
            lines=[Line(expense, debit=amount), Line(cash, credit=amount)],
            idempotency_key=key,
        )

    with pytest.raises(LedgerError) as short:
        pay(held + 1, uuid.uuid4())
    assert (short.value.code, short.value.details) == ("not_enough_money", {"balance": held})
    key = uuid.uuid4()
    first = pay(held, key)
    assert account_balances(books)[cash] == 0
    again = pay(held, key)  # the same request again: its entry, not a refusal
    assert (again.created, again.entry.id) == (False, first.entry.id)


def test_the_database_never_pays_out_of_cash_or_bank_below_zero(books):
    cash, bank = role(books, "cash"), role(books, "bank")
    expense = books.scalar(select(Account.id).where(Account.code == "6-102"))
    held = account_balances(books)[cash]
    day = date(2026, 11, 5)

    def pay(account: int, amount: int) -> None:
        raw_lines(books, raw_entry(books, day), day, (expense, amount, 0), (account, 0, amount))

    refused(books, "never paid out below zero", lambda: pay(cash, held + 1))
    refused(books, "never paid out below zero", lambda: pay(bank, 1))
    pay(cash, held)  # to the last rupiah
    books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    assert account_balances(books)[cash] == 0


def test_the_database_never_takes_a_members_savings_below_zero(books, tenants):
    sri = tenants.a.members[0].id
    cash, sukarela = role(books, "cash"), role(books, "savings_sukarela")
    day = date(2026, 11, 5)

    def savings_line(entry_id: int, debit: int, credit: int) -> None:
        books.execute(
            text(
                "INSERT INTO journal_lines (entry_id, account_id, member_id, entry_date, debit,"
                " credit, line_no) VALUES (:entry, :cash, NULL, :day, :credit, :debit, 1),"
                " (:entry, :sukarela, :member, :day, :debit, :credit, 2)"
            ),
            {
                "entry": entry_id,
                "cash": cash,
                "sukarela": sukarela,
                "member": sri,
                "day": day,
                "debit": debit,
                "credit": credit,
            },
        )

    savings_line(raw_entry(books, day), 0, 50_000)  # paid in
    books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # checked as at COMMIT
    books.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    refused(
        books,
        f"member {sri} would hold -1 on account {sukarela}",
        lambda: savings_line(raw_entry(books, day), 50_001, 0),
    )
    savings_line(raw_entry(books, day), 50_000, 0)  # all of it out again
    books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
