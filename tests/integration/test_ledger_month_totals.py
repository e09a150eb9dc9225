"""Months' totals: counted by the database once a month has ended (the daily job) or as it
closes, kept up by late entries into a counted month, equal to their lines' sums, and statements
read from them equal to statements read from the lines alone."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from saas import daily
from saas.ledger import operations as ledger
from saas.ledger.models import MAX_AMOUNT, Account, MonthTotal, Period
from saas.ledger.queries import (
    _line_totals,
    _totals,
    balance_sheet,
    balances_of,
    cash_flow,
    counted_through,
    equity_changes,
    income_statement,
    trial_balance,
)
from saas.ledger.rules import LedgerError, Line, month_end
from saas.tenants import schemas
from saas.tenants.migrations import upgrade_schema
from tests.factories import refused_by_database
from tests.integration.committed import Books, committed_books

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


def counted_sums(session) -> dict[tuple[int, int, int], tuple[int, int]]:
    rows = session.scalars(select(MonthTotal))
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
    closing=st.booleans(),
)
def test_statements_from_months_totals_equal_those_from_the_lines(
    books, officer, tenants, postings, later, ranges, close_through, closing
):
    """Random entries over a year; every statement over random ranges, from the lines alone;
    months closed, or only counted as the daily job counts them; the same statements again,
    from the months' totals, are equal, as after more entries (late ones too, into counted
    months left open) they are to the lines' own sums."""
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
        through = month_end(YEAR, close_through)
        if closing:
            ledger.close_period(books, YEAR, close_through, user_id=officer, today=AFTER_YEAR)
        else:
            assert ledger.count_ended_months(books, through + timedelta(1))
        schema = tenants.a.tenant.schema_name
        assert counted_sums(books) == line_sums(books, schema, through)
        assert statements(books, ranges) == from_lines
        post(later)
        # Every month up to the last with totals is counted, late entries included (a counted
        # month without lines has no rows: the months after the last row are read from the
        # lines, and counted with the next month that ends).
        last = counted_through(books) or date.min
        assert last <= through
        assert counted_sums(books) == line_sums(books, schema, last)
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
    counted = counted_sums(books)
    assert counted == line_sums(books, schema, month_end(YEAR, 5))
    assert counted[(YEAR, 5, sales)] == (0, 5_000)
    for end in (date(YEAR, 5, 31), date(YEAR, 6, 30)):
        assert _totals(books, until=end) == _line_totals(books, until=end)


def test_a_months_totals_are_written_by_the_database_alone(books, tenants, officer):
    schema = tenants.a.tenant.schema_name
    ledger.close_period(books, YEAR, 1, user_id=officer, today=AFTER_YEAR)
    row = books.scalars(select(MonthTotal)).first()
    assert row is not None  # the fixtures' months, closed with January
    cash = ledger.account_by_role(books, "cash").id
    statements = [
        f"INSERT INTO month_totals VALUES ({YEAR}, 2, {cash}, 1, 0)",
        f"UPDATE month_totals SET debit = debit + 1 WHERE account_id = {row.account_id}",
        f"DELETE FROM month_totals WHERE account_id = {row.account_id}",
        "TRUNCATE month_totals",
    ]
    for statement in statements:
        error = refused_by_database(books, schema, statement)
        assert "counted from its lines by the database" in error


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


@pytest.mark.parametrize("closing", [True, False])
def test_money_paid_out_is_checked_against_the_counted_months_and_the_later_ones(
    books, tenants, officer, closing
):
    """What cash holds is its counted months' totals (closed or not) and its lines after them:
    all of it can be paid out; a rupiah more is refused by the operation and, written around
    it, by the database; a late payment into a counted month is counted too."""
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
    if closing:
        ledger.close_period(books, YEAR, 3, user_id=officer, today=AFTER_YEAR)
    else:
        ledger.count_ended_months(books, date(YEAR, 4, 1))
        pay(200_000, date(YEAR, 3, 5))  # late, into a counted month
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
        upgrade_schema(connection, "tpl_totals", schemas.TENANT_MIGRATIONS, "t0037")
        kept = connection.exec_driver_sql(
            "SELECT month, debit + credit FROM month_totals ORDER BY month, account_id"
        ).all()
        # April's lines, then April counted without closing it, then a late line into it.
        for day, amount in (("04-10", 400), ("04-20", 40)):
            connection.exec_driver_sql(
                "WITH entry AS (INSERT INTO journal_entries (entry_date, description, source,"
                f" idempotency_key, posted_at) VALUES (DATE '{YEAR}-{day}', 'baru', 'manual',"
                " gen_random_uuid(), now()) RETURNING id, entry_date)"
                " INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit,"
                " line_no) SELECT entry.id, accounts.id, entry.entry_date,"
                f" CASE code WHEN '1-101' THEN {amount} ELSE 0 END,"
                f" CASE code WHEN '4-101' THEN {amount} ELSE 0 END, 1"
                " FROM entry, accounts WHERE code IN ('1-101', '4-101')"
            )
            if day == "04-10":
                connection.exec_driver_sql(
                    f"INSERT INTO periods (year, month, counted_at) VALUES ({YEAR}, 4, now())"
                )
        april = connection.exec_driver_sql(
            "SELECT debit + credit FROM month_totals WHERE month = 4"
        ).all()
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")  # the entries balance
        schemas.drop_schema(connection, "tpl_totals")
    assert counted == [(1, 100), (1, 100), (2, 200), (2, 200)]
    assert then == [(3, 300), (3, 300)]
    assert kept == [*counted, *then]
    assert april == [(440,), (440,)]


def test_the_ended_months_are_counted_once_and_a_late_entry_joins_its_months_totals(books, tenants):
    """Counted through the month before the cooperative's day, not again the same month; a
    late entry into a counted month, posted by the app or written around it, is in its
    totals; the statements read from them equal those from the lines."""
    schema = tenants.a.tenant.schema_name
    cash, sales = (ledger.account_by_role(books, r).id for r in ("cash", "sales_members"))

    _sell(books, date(YEAR, 1, 20), 1_000)
    _sell(books, date(YEAR, 2, 3), 2_000)
    assert ledger.count_ended_months(books, date(YEAR, 2, 14))  # January ended
    assert not ledger.count_ended_months(books, date(YEAR, 2, 28))  # and is counted
    assert counted_sums(books)[(YEAR, 1, sales)] == (0, 1_000)
    assert (YEAR, 2, sales) not in counted_sums(books)  # February has not ended
    january = books.scalar(select(Period).where(Period.year == YEAR, Period.month == 1))
    assert january is not None
    assert january.counted_at is not None
    assert january.closed_at is None

    _sell(books, date(YEAR, 1, 31), 300)  # late: January is counted, and still open
    around = books.begin_nested()
    books.execute(text(f'SET LOCAL search_path TO "{schema}"'))
    books.execute(
        text(
            "WITH entry AS (INSERT INTO journal_entries (entry_date, description, source,"
            " idempotency_key, posted_at) VALUES (:day, 'di luar aplikasi', 'manual',"
            " gen_random_uuid(), now()) RETURNING id, entry_date)"
            " INSERT INTO journal_lines (entry_id, account_id, entry_date, debit, credit,"
            " line_no) SELECT id, :cash, entry_date, 40, 0, 1 FROM entry UNION ALL"
            " SELECT id, :sales, entry_date, 0, 40, 2 FROM entry"
        ),
        {"day": date(YEAR, 1, 5), "cash": cash, "sales": sales},
    )
    around.commit()
    assert counted_sums(books)[(YEAR, 1, sales)] == (0, 1_340)
    assert counted_sums(books) == line_sums(books, schema, date(YEAR, 1, 31))
    for end in (date(YEAR, 1, 31), date(YEAR, 2, 28)):
        assert _totals(books, until=end) == _line_totals(books, until=end)
        assert _totals(books, since=date(YEAR, 1, 10), until=end) == _line_totals(
            books, since=date(YEAR, 1, 10), until=end
        )
    assert ledger.count_ended_months(books, date(YEAR, 4, 1))  # February and March
    assert counted_sums(books) == line_sums(books, schema, date(YEAR, 3, 31))


def test_the_daily_job_counts_each_cooperatives_ended_months_as_its_day_begins(db, tenants):
    """Tenant A is in WIB: 17:30 UTC on 15 December is 00:30 on the 16th there, so November
    and every month before it are counted; at 10:00 UTC nobody's day begins."""
    a = tenants.a.tenant

    def last_counted() -> tuple[int, int] | None:
        with db.tenant_session(a.shard, a.schema_name) as session:
            return session.execute(
                select(MonthTotal.year, MonthTotal.month)
                .order_by(MonthTotal.year.desc(), MonthTotal.month.desc())
                .limit(1)
            ).first()

    before = last_counted()
    daily.begin_days(db, datetime(2026, 12, 15, 10, 0, tzinfo=UTC))
    assert last_counted() == before
    daily.begin_days(db, datetime(2026, 12, 15, 17, 30, tzinfo=UTC))
    through = last_counted()
    assert through is not None
    assert through <= (2026, 11)
    with db.tenant_session(a.shard, a.schema_name) as session:
        november = session.scalar(select(Period).where(Period.year == 2026, Period.month == 11))
        assert november is not None
        assert november.counted_at is not None
        assert counted_sums(session) == line_sums(session, a.schema_name, date(2026, 11, 30))
        assert _totals(session) == _line_totals(session)


# -- a count and the entries posted at the same moment, each on its own connection ----------------


def _sell(session, day: date, amount: int) -> None:
    cash, sales = (ledger.account_by_role(session, r).id for r in ("cash", "sales_members"))
    ledger.post_entry(
        session,
        entry_date=day,
        description="jual",
        lines=[Line(cash, debit=amount), Line(sales, credit=amount)],
        idempotency_key=uuid.uuid4(),
    )


def _waiting_for(books: Books, holder: Session, work: Future) -> None:
    """Until ``work``, on another connection, waits for a lock ``holder``'s transaction holds."""
    pid = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with books.session() as session:
        for _ in range(600):
            waiting = session.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"
                ),
                {"pid": pid},
            ).scalar_one()
            if waiting:
                return
            if work.done():
                raise AssertionError(f"it did not wait: {work.result()}")
            time.sleep(0.05)
    raise AssertionError("nothing waited")


def _counted_equal_to_lines(books: Books, through: date) -> dict:
    with books.session() as session:
        counted = counted_sums(session)
        assert counted == line_sums(session, books.tenant.schema_name, through)
        assert _totals(session) == _line_totals(session)
        return counted


def test_a_count_waits_for_an_entry_being_posted_and_counts_it(app):
    with committed_books(app) as books:
        with books.session() as cashier, ThreadPoolExecutor(1) as pool:
            _sell(cashier, date(2026, 10, 20), 1_000)

            def count() -> bool:
                with books.session() as session:
                    counted = ledger.count_ended_months(session, date(2026, 11, 2))
                    session.commit()
                    return counted

            counting = pool.submit(count)
            _waiting_for(books, cashier, counting)
            cashier.commit()
            assert counting.result(timeout=60)
        counted = _counted_equal_to_lines(books, date(2026, 10, 31))
        sales = sum(c for (y, m, _a), (_d, c) in counted.items() if (y, m) == (2026, 10))
        assert sales == 1_000


def test_a_late_entry_waits_for_a_count_under_way_and_joins_its_totals(app):
    with committed_books(app) as books:
        with books.session() as session:
            _sell(session, date(2026, 10, 20), 1_000)
            session.commit()
        with books.session() as counter, ThreadPoolExecutor(1) as pool:
            assert ledger.count_ended_months(counter, date(2026, 11, 2))

            def late_sale() -> None:
                with books.session() as session:
                    _sell(session, date(2026, 10, 31), 250)
                    session.commit()

            posting = pool.submit(late_sale)
            _waiting_for(books, counter, posting)
            counter.commit()
            posting.result(timeout=60)
        counted = _counted_equal_to_lines(books, date(2026, 10, 31))
        sales = sum(c for (y, m, _a), (_d, c) in counted.items() if (y, m) == (2026, 10))
        assert sales == 1_250
