"""P7: the books of a large cooperative: 2,000 members (or ``--members 20000``) and three
years of monthly activity.

The script provisions one tenant, registers the members and writes three years of books from a
fixed random seed: each month every member pays mandatory savings, about one in ten pays in
voluntary savings and one in ten loan interest, and the cooperative books a dozen expenses and
some sales (about 174,000 journal lines for 2,000 members, 1.7 million for 20,000), planned and
written in SQL a month per transaction (INSERT ... SELECT) as a restore writes rows, then
checked in SQL for anything the books' guards refuse. It then times, as the median of repeated
runs, the balance sheet, the PHU of the last year, one member's statement over the three years
and an expense paid in cash (the operation's and the database's checks of the cash held): first
summed from the lines alone, then as the daily job keeps the books in December of the last year,
every month up to November counted and none closed (statements read counted months from their
totals). Last: closing the year, the SHU allocation of the last year for every member (about one
in ten pays loan interest each month: their transactions, Va), posting throughput through the
savings operations layer (the entry with its lines, the receipt with its number, a commit per
posting), and the schema's size on disk.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from common import (
    drop_databases,
    emit,
    log,
    ms,
    p50,
    prepare_platform,
    settle,
    vacuum_everything,
)
from sqlalchemy import BigInteger, bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.config import Settings
from saas.db import Databases
from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.queries import balance_sheet, income_statement
from saas.ledger.rules import Line
from saas.members.models import Member
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod, SavingsKind
from saas.seed_rat import hold_rat
from saas.shu import operations as shu
from saas.tenants.provisioning import provision_tenant

SEED = 20261129
BUDGETS = {"balance_sheet": 50, "phu": 50, "member_statement": 20}
BUDGET_POSTINGS = 300
BUDGET_SHU = {2000: 1.0, 20000: 5.0}  # seconds, by the cooperative's number of members


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 members, one year")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each report")
    parser.add_argument("--postings", type=int, default=None, help="postings timed (1000)")
    args = parser.parse_args(argv)
    args.members = args.members or (200 if args.quick else 2000)
    args.years = args.years or (1 if args.quick else 3)
    args.postings = args.postings or (100 if args.quick else 1000)
    return args


def add_members(session: object, count: int) -> list[int]:
    rows = [
        {
            "number": f"{i:04d}",
            "nik": str(3273010101900000 + i),
            "name": f"Anggota {i}",
            "join_date": date(2023, 1, 1),
            "status": "active",
        }
        for i in range(1, count + 1)
    ]
    result = session.execute(insert(Member).returning(Member.id), rows)  # type: ignore[attr-defined]
    return [row[0] for row in result]


PLAN_TABLE = (
    "CREATE TEMPORARY TABLE bench_plan (key uuid, entry_date date, description text, "
    "source text, member_id bigint, debit_account bigint, credit_account bigint, amount bigint) "
    "ON COMMIT DROP"
)


def _seed(year: int, month: int) -> float:
    """PostgreSQL's random() seed for a month: the same books on every run."""
    return (SEED + year * 12 + month) % 10_000 / 10_000


# One month of the cooperative's business, planned in SQL from a seeded random stream: every
# member's mandatory savings, about one in ten paying loan interest and one in ten voluntary
# savings, a dozen expenses and eight sales. Each planned row becomes one entry of two lines.
PLAN_MONTH = """
INSERT INTO bench_plan (key, entry_date, description, source, member_id, debit_account,
                        credit_account, amount)
SELECT gen_random_uuid(), make_date(:year, :month, 1 + floor(random() * 28)::int),
       planned.description, planned.source, planned.member_id, planned.debit_account,
       planned.credit_account, planned.amount
FROM (
    SELECT 'Setoran wajib' AS description, 'savings' AS source, member.id AS member_id,
           :cash AS debit_account, :wajib AS credit_account, 25000 AS amount
    FROM members member
    UNION ALL
    SELECT 'Jasa pinjaman', 'savings', member.id, :cash, :interest,
           (1 + floor(random() * 20)::int) * 1000
    FROM members member WHERE random() < 0.1
    UNION ALL
    SELECT 'Setoran sukarela', 'savings', member.id, :cash, :sukarela,
           (1 + floor(random() * 40)::int) * 5000
    FROM members member WHERE random() < 0.1
    UNION ALL
    SELECT 'Beban operasional', 'manual', NULL,
           (:expenses)[1 + floor(random() * cardinality(:expenses))::int], :cash,
           (1 + floor(random() * 100)::int) * 10000
    FROM generate_series(1, 12)
    UNION ALL
    SELECT 'Penjualan gerai', 'manual', NULL, :bank, :sales,
           (10 + floor(random() * 191)::int) * 10000
    FROM generate_series(1, 8)
) planned
"""

# The entries in date order (ids grow with dates, as at the counter), then all their lines in
# one statement, written as a restore writes rows: with the guards' triggers off
# (``session_replication_role = replica``), which at 20,000 members would take two minutes
# checking entry by entry; ``CHECK_BOOKS`` then finds anything they would have refused.
WRITE_ENTRIES = """
INSERT INTO journal_entries (entry_date, description, source, idempotency_key, member_id,
                             posted_at)
SELECT entry_date, description, source, key, member_id, now()
FROM bench_plan ORDER BY entry_date, key
"""
WRITE_LINES = """
INSERT INTO journal_lines (entry_id, account_id, member_id, entry_date, debit, credit, line_no)
SELECT entry.id, side.account_id, side.member_id, plan.entry_date, side.debit, side.credit,
       side.line_no
FROM bench_plan plan
JOIN journal_entries entry ON entry.idempotency_key = plan.key
CROSS JOIN LATERAL (VALUES (1, plan.debit_account, NULL::bigint, plan.amount, 0),
                           (2, plan.credit_account, plan.member_id, 0, plan.amount))
    AS side (line_no, account_id, member_id, debit, credit)
"""


# What the books' guards refuse, over the whole history at once: an entry without exactly two
# lines that balance or dated unlike its lines, cash or the bank below zero at the end of a
# month (a month is written, and was checked, as one transaction), a member's balance below
# zero on an account.
CHECK_BOOKS = """
SELECT (SELECT count(*) FROM journal_entries entry
        WHERE NOT EXISTS (SELECT FROM journal_lines line WHERE line.entry_id = entry.id))
     + (SELECT count(*) FROM (SELECT line.entry_id FROM journal_lines line
                              JOIN journal_entries entry ON entry.id = line.entry_id
                              GROUP BY line.entry_id
                              HAVING count(*) <> 2 OR sum(line.debit) <> sum(line.credit)
                                  OR bool_or(line.entry_date <> entry.entry_date)) unbalanced)
     + (SELECT count(*) FROM (SELECT sum(sum(debit - credit)) OVER (PARTITION BY account_id
                                  ORDER BY date_trunc('month', entry_date)) AS held
                              FROM journal_lines
                              WHERE account_id IN (SELECT id FROM accounts
                                                   WHERE role IN ('cash', 'bank'))
                              GROUP BY account_id, date_trunc('month', entry_date)) cash
        WHERE held < 0)
     + (SELECT count(*) FROM (SELECT account.kind, sum(line.debit) AS debits,
                                     sum(line.credit) AS credits
                              FROM journal_lines line JOIN accounts account
                                ON account.id = line.account_id
                              WHERE line.member_id IS NOT NULL
                              GROUP BY account.kind, line.account_id, line.member_id) mine
        WHERE CASE WHEN kind IN ('asset', 'expense') THEN debits - credits
                   ELSE credits - debits END < 0)
"""


def write_books(databases: Databases, shard: str, schema: str, members: int, years: int) -> int:
    """Bulk-write the cooperative's history in SQL (INSERT ... SELECT, a month per
    transaction, as a restore writes: ``WRITE_LINES``) and check it as the guards would
    (``CHECK_BOOKS``); the number of journal lines written."""
    with databases.tenant_session(shard, schema) as session:
        add_members(session, members)
        roles = dict(session.execute(select(Account.role, Account.id)).all())
        expense_ids = list(
            session.scalars(
                select(Account.id).where(Account.kind == "expense", Account.is_header.is_(False))
            )
        )
        session.commit()
        accounts = {
            "cash": roles["cash"],
            "bank": roles["bank"],
            "wajib": roles["savings_wajib"],
            "sukarela": roles["savings_sukarela"],
            "interest": roles["loan_interest"],
            "sales": roles["sales_members"],
            "expenses": expense_ids,
        }
        lines_written = 0
        for year in range(2024 - years + 1, 2024 + 1):
            for month in range(1, 13):
                connection = session.connection()
                connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
                connection.exec_driver_sql(PLAN_TABLE)
                connection.execute(text("SELECT setseed(:seed)"), {"seed": _seed(year, month)})
                connection.execute(
                    text(PLAN_MONTH).bindparams(bindparam("expenses", type_=ARRAY(BigInteger))),
                    {**accounts, "year": year, "month": month},
                )
                connection.exec_driver_sql(WRITE_ENTRIES)
                lines_written += connection.exec_driver_sql(WRITE_LINES).rowcount
                session.commit()
            log(f"wrote {year}: {lines_written} lines so far")
        connection = session.connection()
        connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
        refused = connection.exec_driver_sql(CHECK_BOOKS).scalar_one()
        assert refused == 0, f"the books' guards would refuse {refused} of the written rows"
        session.commit()
    return lines_written


def time_runs(runs: int, work: object) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return ms(p50(timings))


def time_reports(databases: Databases, shard: str, schema: str, runs: int) -> dict[str, float]:
    """The median milliseconds of the balance sheet, the PHU of 2024 and one member's
    statement over the three years."""
    end = date(2024, 12, 31)
    with databases.tenant_session(shard, schema) as session:
        member = session.scalar(select(Member.id).order_by(Member.id).limit(1))
        assert member is not None
        sheet = balance_sheet(session, end)
        assert sheet.balanced, "the generated books must balance"
        figures = {
            "balance_sheet": time_runs(runs, lambda: balance_sheet(session, end)),
            "phu": time_runs(runs, lambda: income_statement(session, date(2024, 1, 1), end)),
            "member_statement": time_runs(
                runs, lambda: savings.member_statement(session, member, date(2022, 1, 1), end)
            ),
            "cash_payout": time_runs(runs, lambda: pay_out_and_undo(session, end)),
        }
        session.commit()
    return figures


def pay_out_and_undo(session: Session, day: date) -> None:
    """An expense paid in cash through ``post_entry`` with the database's own check of the
    cash held (run at once rather than at commit), then rolled back."""
    cash = ledger.account_by_role(session, "cash").id
    expense = session.scalar(
        select(Account.id).where(Account.kind == "expense", Account.is_header.is_(False))
    )
    assert expense is not None
    ledger.post_entry(
        session,
        entry_date=day,
        description="Beban operasional",
        lines=[Line(expense, debit=10_000), Line(cash, credit=10_000)],
        idempotency_key=uuid.uuid4(),
    )
    session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    session.rollback()


def count_months(databases: Databases, shard: str, schema: str, *, today: date) -> float:
    """Count the months that ended before ``today`` as the daily job does at the start of the
    cooperative's day; the seconds it took."""
    with databases.tenant_session(shard, schema) as session:
        started = time.perf_counter()
        assert ledger.count_ended_months(session, today)
        session.commit()
        return round(time.perf_counter() - started, 3)


def close_months(
    databases: Databases, shard: str, schema: str, officer: int, *, year: int, month: int
) -> float:
    """Close the books up to a month, as the treasurer does; the seconds it took (the
    database counts each month's totals as it closes)."""
    with databases.tenant_session(shard, schema) as session:
        started = time.perf_counter()
        ledger.close_period(session, year, month, user_id=officer, today=date(2025, 1, 1))
        session.commit()
        return round(time.perf_counter() - started, 3)


def time_shu_allocation(
    databases: Databases, shard: str, schema: str, officer: int
) -> tuple[float, int]:
    """Share out the SHU of 2024 (closed) for every member: the plan read from the ledger and
    the posting of its entry and shares, one commit; seconds and the number of shares."""
    with databases.tenant_session(shard, schema) as session:
        # The SHU is posted only after the RAT that approved it (held outside the timing).
        hold_rat(
            session,
            book_year=2024,
            held_on=date(2025, 1, 2),
            letter_code="KDMP-BESAR",
            user_id=officer,
        )
        session.commit()
        started = time.perf_counter()
        planned = shu.plan(session, 2024, shu.get_percentages(session))
        shu.post_allocation(
            session,
            planned,
            decided_on=date(2025, 1, 2),
            idempotency_key=uuid.uuid4(),
            user_id=officer,
        )
        session.commit()
        seconds = time.perf_counter() - started
    return round(seconds, 3), len(planned.shares)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings, databases = prepare_platform("bench_p7")
    tenant = provision_tenant(databases, settings, slug="besar", display_name="Koperasi Besar")
    shard, schema = tenant.shard, str(tenant.schema_name)
    with databases.tenant_session(shard, schema) as session:
        officer = accounts.create_tenant_user(
            session,
            name="Bendahara",
            email="bendahara@besar.id",
            role=Role.BENDAHARA,
            password=None,
        ).id
        session.commit()
    log(f"writing {args.years} years of books for {args.members} members")
    started = time.perf_counter()
    lines = write_books(databases, shard, schema, args.members, args.years)
    log(f"{lines} lines in {time.perf_counter() - started:.1f}s")
    fields: dict[str, object] = {"id": "P7", "members": args.members, "journal_lines": lines}
    vacuum_everything(databases, shard)
    settle()
    # As written, every figure summed from the lines (no budget: the daily job counts the
    # months that have ended when the cooperative's next day begins); then as the daily job
    # keeps the books in December, every month to November counted and none closed.
    for counted_through in (None, "2024-11"):
        fields["counted_through"] = counted_through
        if counted_through:
            seconds = count_months(databases, shard, schema, today=date(2024, 12, 15))
            emit({**fields, "name": "count_ended_months", "value": seconds, "unit": "s"})
        for name, value in time_reports(databases, shard, schema, args.runs).items():
            budget = BUDGETS.get(name) if counted_through else None
            checked = {} if budget is None else {"budget": budget, "pass": value <= budget}
            emit({**fields, "name": name, "value": value, "unit": "ms", **checked})
    seconds = close_months(databases, shard, schema, officer, year=2024, month=12)
    fields["counted_through"] = fields["closed_through"] = "2024-12"
    emit(
        {
            **fields,
            "name": "close_year",
            "value": ms(seconds),
            "unit": "ms",
            "path": "ledger.close_period: the twelve months of 2024 closed, December counted",
        }
    )
    shu_budget = BUDGET_SHU[2000 if args.members <= 2000 else 20000]
    seconds, shares = time_shu_allocation(databases, shard, schema, officer)
    emit(
        {
            **fields,
            "name": "shu_allocation",
            "value": seconds,
            "unit": "s",
            "shares": shares,
            "path": "saas.shu.operations: plan (SHU, Va, Sa, split) and post (one entry, shares)",
            "budget": shu_budget,
            "pass": seconds <= shu_budget,
        }
    )
    for workers in (1, 4):
        job = PostingJob(settings, shard, schema, args.postings, officer, 0, workers)
        rates = [postings_per_second(job) for _ in range(POSTING_RUNS)]
        rate = round(p50(rates), 1)
        emit(
            {
                **fields,
                "name": "postings_per_second",
                "value": rate,
                "unit": "postings/s",
                "workers": workers,
                "runs": rates,
                "path": "saas.savings.operations.deposit: the entry with its lines, the receipt "
                "with its number, a commit",
                "budget": BUDGET_POSTINGS,
                "pass": rate >= BUDGET_POSTINGS,
            }
        )
    with databases.shard_engines[shard].connect() as connection:
        size = connection.exec_driver_sql(
            "SELECT sum(pg_total_relation_size(oid)) FROM pg_class"
            " WHERE relnamespace = %(schema)s::regnamespace AND relkind = 'r'",
            {"schema": schema},
        ).scalar()
    emit({**fields, "name": "schema_disk", "value": round(int(size or 0) / 2**20), "unit": "MiB"})
    databases.dispose()
    drop_databases("bench_p7")  # its autovacuum would land in the next script's timing
    return 0


POSTING_RUNS = 3  # the median is reported: other work on the machine moves single runs


class PostingJob(NamedTuple):
    settings: Settings
    shard: str
    schema: str
    count: int
    officer: int
    part: int
    parts: int


def postings_per_second(job: PostingJob) -> float:
    """Deposits through the operations layer, one transaction each, from ``job.parts``
    processes (cashiers at once) on their own members: postings over the wall-clock span from
    the first posting to the last (process start-up left out)."""
    jobs = [job._replace(count=job.count // job.parts, part=p) for p in range(job.parts)]
    with multiprocessing.get_context("spawn").Pool(job.parts) as pool:
        spans = pool.map(_post_deposits, jobs)
    done = sum(count for count, _start, _end in spans)
    seconds = max(end for _c, _s, end in spans) - min(start for _c, start, _e in spans)
    return round(done / seconds, 1)


def _post_deposits(job: PostingJob) -> tuple[int, float, float]:
    databases = Databases(job.settings)
    with databases.tenant_session(job.shard, job.schema) as session:
        members = list(session.scalars(select(Member).order_by(Member.id)))[job.part :: job.parts]
        session.commit()
        started = time.time()
        for index in range(job.count):
            savings.deposit(
                session,
                savings.Movement(
                    member=members[index % len(members)],
                    kind=SavingsKind.SUKARELA,
                    amount=10_000,
                    method=PaymentMethod.CASH,
                    paid_on=date(2025, 1, 2),
                    idempotency_key=uuid.uuid4(),
                    officer_id=job.officer,
                    officer_name="Bench",
                ),
            )
            session.commit()  # as the request does, once per posting
        ended = time.time()
    databases.dispose()
    return job.count, started, ended


if __name__ == "__main__":
    raise SystemExit(main())
