"""Closed months' totals: counted by the database as months close, equal to their lines' sums,
and statements read from them equal to statements read from the lines alone."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from saas.ledger import operations as ledger
from saas.ledger.models import MAX_AMOUNT, Account, ClosedMonthTotal
from saas.ledger.queries import (
    _line_totals,
    _totals,
    balance_sheet,
    balances_of,
    cash_flow,
    equity_changes,
    income_statement,
    trial_balance,
)
from saas.ledger.rules import LedgerError, Line, month_end
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from tests.factories import refused_by_database

YEAR = 2030  # after every month the fixtures post in, so any of its months can close
AFTER_YEAR = date(YEAR + 1, 1, 1)


@pytest.fixture
def books(db, tenants):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        yield session


@pytest.fixture
def officer(tenants) -> int:
    return tenants.a.users["bendahara"].id


def postable(session) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .where(Account.is_header.is_(False), Account.is_active.is_(True))
            .order_by(Account.code)
        )
    )


def statements(session, ranges: list[tuple[date, date]]) -> list[object]:
    """Every statement over each range, as the report pages read them."""
    found: list[object] = []
    for start, end in ranges:
        found += [
            balance_sheet(session, end),
            income_statement(session, start, end),
            trial_balance(session, end),
            equity_changes(session, start, end),
            cash_flow(session, start, end),
            _totals(session, since=start, until=end),
        ]
    return found


def closed_sums(session) -> dict[tuple[int, int, int], tuple[int, int]]:
    rows = session.scalars(select(ClosedMonthTotal))
    return {(r.year, r.month, r.account_id): (r.debit, r.credit) for r in rows}


def line_sums(session, schema: str, through: date) -> dict[tuple[int, int, int], tuple[int, int]]:
    """Each account's lines per month up to ``through``, summed in plain SQL."""
    rows = session.execute(
        text(
            "SELECT extract(year FROM entry_date)::int, extract(month FROM entry_date)::int,"
            f' account_id, sum(debit), sum(credit) FROM "{schema}".journal_lines'
            " WHERE entry_date <= :through GROUP BY 1, 2, 3"
        ),
        {"through": through},
    )
    return {(y, m, a): (int(d), int(c)) for y, m, a, d, c in rows}


days = st.integers(min_value=0, max_value=364)
postings = st.lists(
    st.tuples(
        days,
        st.integers(min_value=1, max_value=MAX_AMOUNT // 1000),
        st.integers(min_value=0, max_value=10_000),  # the debited account, modulo the chart
        st.integers(min_value=0, max_value=10_000),  # the credited one
    ),
    min_size=1,
    max_size=25,
)
ranges = st.lists(
    st.tuples(days, days)
    .map(sorted)
    .map(
        lambda pair: (date(YEAR, 1, 1) + timedelta(pair[0]), date(YEAR, 1, 1) + timedelta(pair[1]))
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    postings=postings,
    later=postings,
    ranges=ranges,
    close_through=st.integers(min_value=1, max_value=12),
)
def test_statements_from_closed_months_totals_equal_those_from_the_lines(
    books, officer, tenants, postings, later, ranges, close_through
):
    """Random entries over a year; every statement over random ranges, from the lines alone;
    months closed; the same statements again, from the closed months' totals, are equal, as
    after more entries in the open months they are to the lines' own sums."""
    example = books.begin_nested()
    accounts = postable(books)
    ranges = [*ranges, (date(YEAR, 1, 1), date(YEAR, 12, 31))]

    def post(entries) -> None:
        for offset, amount, debit, credit in entries:
            debited, credited = accounts[debit % len(accounts)], accounts[credit % len(accounts)]
            if debited.id == credited.id:
                continue
            day = date(YEAR, 1, 1) + timedelta(offset)
            if day <= (ledger.first_open_day(books) or day) - timedelta(1):
                continue  # a closed month takes nothing
            try:
                ledger.post_entry(
                    books,
                    entry_date=day,
                    description="acak",
                    lines=[Line(debited.id, debit=amount), Line(credited.id, credit=amount)],
                    idempotency_key=uuid.uuid4(),
                )
            except LedgerError as refused:
                if refused.code != "not_enough_money":  # more cash paid out than held
                    raise

    try:
        post(postings)
        from_lines = statements(books, ranges)
        ledger.close_period(books, YEAR, close_through, user_id=officer, today=AFTER_YEAR)
        through = month_end(YEAR, close_through)
        assert closed_sums(books) == line_sums(books, tenants.a.tenant.schema_name, through)
        assert statements(books, ranges) == from_lines
        post(later)
        for start, end in ranges:
            raw = _line_totals(books, since=start, until=end)
            assert _totals(books, since=start, until=end) == raw
            assert _totals(books, until=end) == _line_totals(books, until=end)
    finally:
        example.rollback()


def test_closing_counts_each_month_once_whoever_closes_how_many(books, tenants, officer):
    """Lines written around the app (raw SQL into an open month), then several months closed
    by one raw statement: each month's totals are its lines' sums, counted once."""
    schema = tenants.a.tenant.schema_name
    cash, sales = (ledger.account_by_role(books, r).id for r in ("cash", "sales_members"))
    books.execute(text(f'SET LOCAL search_path TO "{schema}"'))
    for month in (2, 3, 5):
        entry = books.execute(
            text(
                "INSERT INTO journal_entries (entry_date, description, source, idempotency_key,"
                " posted_at)"
                " VALUES (:day, 'di luar aplikasi', 'manual', :key, now()) RETURNING id"
            ),
            {"day": date(YEAR, month, 10), "key": uuid.uuid4()},
        ).scalar_one()
        books.execute(
            text(
                "INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit,"
                " line_no) VALUES (:entry, :cash, :day, :amount, 0, 1),"
                " (:entry, :sales, :day, 0, :amount, 2)"
            ),
            {
                "entry": entry,
                "cash": cash,
                "sales": sales,
                "day": date(YEAR, month, 10),
                "amount": 1_000 * month,
            },
        )
        books.execute(
            text("INSERT INTO periods (year, month) VALUES (:year, :month)"),
            {"year": YEAR, "month": month},
        )
    books.execute(
        text("UPDATE periods SET closed_at = now() WHERE year = :year AND month IN (5, 2, 3)"),
        {"year": YEAR},
    )
    counted = closed_sums(books)
    assert counted == line_sums(books, schema, month_end(YEAR, 5))
    assert counted[(YEAR, 5, sales)] == (0, 5_000)
    for end in (date(YEAR, 5, 31), date(YEAR, 6, 30)):
        assert _totals(books, until=end) == _line_totals(books, until=end)


def test_a_closed_months_totals_are_written_by_its_closing_alone(books, tenants, officer):
    schema = tenants.a.tenant.schema_name
    ledger.close_period(books, YEAR, 1, user_id=officer, today=AFTER_YEAR)
    row = books.scalars(select(ClosedMonthTotal)).first()
    assert row is not None  # the fixtures' months, closed with January
    cash = ledger.account_by_role(books, "cash").id
    statements = [
        f"INSERT INTO closed_month_totals VALUES ({YEAR}, 2, {cash}, 1, 0)",
        f"UPDATE closed_month_totals SET debit = debit + 1 WHERE account_id = {row.account_id}",
        f"DELETE FROM closed_month_totals WHERE account_id = {row.account_id}",
        "TRUNCATE closed_month_totals",
    ]
    for statement in statements:
        error = refused_by_database(books, schema, statement)
        assert "counted from its lines when it closes" in error


def test_an_entry_written_around_the_app_into_a_closed_month_is_refused(books, tenants, officer):
    """So a closed month's totals stay its lines' sums."""
    schema = tenants.a.tenant.schema_name
    ledger.close_period(books, YEAR, 3, user_id=officer, today=AFTER_YEAR)
    error = refused_by_database(
        books,
        schema,
        "INSERT INTO journal_entries (entry_date, description, source, idempotency_key,"
        " posted_at)"
        " VALUES (:day, 'terlambat', 'manual', :key, now())",
        day=date(YEAR, 3, 31),
        key=uuid.uuid4(),
    )
    assert "is closed" in error


def test_money_paid_out_is_checked_against_the_closed_months_and_the_open_ones(
    books, tenants, officer
):
    """What cash holds is its closed months' totals and its lines after them: all of it can be
    paid out; a rupiah more is refused by the operation and, written around it, by the
    database."""
    schema = tenants.a.tenant.schema_name
    cash = ledger.account_by_role(books, "cash")
    sales = ledger.account_by_role(books, "sales_members").id
    expense = books.scalar(
        select(Account.id).where(Account.kind == "expense", Account.is_header.is_(False))
    )

    def pay(amount: int, day: date, debit: int = expense, credit: int = cash.id) -> None:
        ledger.post_entry(
            books,
            entry_date=day,
            description="kas",
            lines=[Line(debit, debit=amount), Line(credit, credit=amount)],
            idempotency_key=uuid.uuid4(),
        )

    pay(1_000_000, date(YEAR, 2, 10), debit=cash.id, credit=sales)
    ledger.close_period(books, YEAR, 3, user_id=officer, today=AFTER_YEAR)
    pay(500_000, date(YEAR, 5, 1), debit=cash.id, credit=sales)
    held = balances_of(books, [cash])[cash.id]
    debit, credit = _line_totals(books, until=date(YEAR, 12, 31))[cash.id]
    assert held == debit - credit
    with pytest.raises(LedgerError) as refused:
        pay(held + 1, date(YEAR, 6, 1))
    assert refused.value.code == "not_enough_money"
    error = refused_by_database(
        books,
        schema,
        "WITH entry AS (INSERT INTO journal_entries (entry_date, description, source,"
        f" idempotency_key, posted_at) VALUES (DATE '{YEAR}-06-01', 'di luar aplikasi',"
        " 'manual', gen_random_uuid(), now()) RETURNING id, entry_date)"
        " INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit, line_no)"
        f" SELECT id, {expense}, entry_date, {held + 1}, 0, 1 FROM entry UNION ALL"
        f" SELECT id, {cash.id}, entry_date, 0, {held + 1}, 2 FROM entry;"
        " SET CONSTRAINTS ALL IMMEDIATE",
    )
    assert "money is never paid out below zero" in error
    pay(held, date(YEAR, 6, 1))
    books.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the database's check, now
    assert balances_of(books, [cash])[cash.id] == 0


def test_the_migration_counts_the_months_closed_before_it(db):
    """A schema whose books were kept, and months closed, before the totals existed (the
    template chart comes with its migrations)."""
    with db.shard_transaction("main") as connection:
        schemas.drop_schema(connection, "tpl_totals")
        connection.exec_driver_sql('CREATE SCHEMA "tpl_totals"')
        upgrade_schema(connection, "tpl_totals", schemas.TENANT_MIGRATIONS, "t0032")
        connection.exec_driver_sql('SET LOCAL search_path TO "tpl_totals"')
        for month in (1, 2, 3):
            entry = connection.exec_driver_sql(
                "INSERT INTO journal_entries (entry_date, description, source, idempotency_key,"
                f" posted_at) VALUES (DATE '{YEAR}-0{month}-15', 'lama', 'manual',"
                " gen_random_uuid(), now()) RETURNING id"
            ).scalar_one()
            connection.exec_driver_sql(
                "INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit,"
                f" line_no) SELECT {entry}, id, DATE '{YEAR}-0{month}-15',"
                f" CASE code WHEN '1-101' THEN {month}00 ELSE 0 END,"
                f" CASE code WHEN '4-101' THEN {month}00 ELSE 0 END, 1 FROM accounts"
                " WHERE code IN ('1-101', '4-101')"
            )
        connection.exec_driver_sql(
            f"INSERT INTO periods (year, month, closed_at) VALUES ({YEAR}, 2, now())"
        )
        upgrade_schema(connection, "tpl_totals", schemas.TENANT_MIGRATIONS, "t0035")
        counted = connection.exec_driver_sql(
            "SELECT month, debit + credit FROM closed_month_totals ORDER BY month, account_id"
        ).all()
        connection.exec_driver_sql(
            f"INSERT INTO periods (year, month, closed_at) VALUES ({YEAR}, 3, now())"
        )
        then = connection.exec_driver_sql(
            "SELECT month, debit + credit FROM closed_month_totals WHERE month = 3"
        ).all()
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")  # the entries balance
        schemas.drop_schema(connection, "tpl_totals")
    assert counted == [(1, 100), (1, 100), (2, 200), (2, 200)]
    assert then == [(3, 300), (3, 300)]
