"""The ledger's tables, in each tenant's schema.

The database guards the books as well as the code: an entry's lines are written in one statement
that must balance and carry the entry's date, and none is added later; cash and bank, and each
member's balance on an account, never go below zero; a deferred constraint trigger refuses an
entry left without lines; triggers refuse any UPDATE or DELETE of posted entries and lines; an
entry dated in a closed period is refused, and a closed period is never reopened
(``LEDGER_FUNCTIONS``, ``LEDGER_TRIGGERS`` and ``PERIOD_GUARDS``, created with the tables and
by the migrations).

Statements, and the check that money paid out is held, read the months that have ended from
``month_totals``, each account's debit and credit totals of a month, and sum only the lines of
the months after them. The database counts a month's totals from its lines when the month is
counted, once it has ended (``saas.daily``, at the start of the cooperative's day), or when it
closes (``COUNTING``); an entry dated in a counted month that is still open adds its lines to
that month's totals in the statement that writes them (``LATE_LINES``); nobody else writes them.
Measured on a cooperative of 20,000 members (1.7 million lines, ``bench/p7_ledger.py --members
20000``), summing the lines takes the balance sheet 126 ms, the PHU 44 ms (budget 50) and a
payout's checks of the cash held 182 ms, all growing with the books; with every month up to the
last counted and none closed, 9-11 ms, 7-8 ms and 13-16 ms. Counting a month once it has ended
rather than at each posting keeps the posting path as it was: no row that every cashier's
posting must update (every deposit moves the cash account, so a running total per account and
month would queue the counters behind one another); only an entry dated in a month already
counted, a late one, updates that month's rows.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import TenantBase, create_guards_with, value_enum
from saas.tenants.models import utcnow

MAX_AMOUNT = 1_000_000_000_000  # Rp1 trillion on one line: anything above is a typing slip


class AccountKind(enum.StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow on the debit side; the rest on the credit side."""
        return self in (AccountKind.ASSET, AccountKind.EXPENSE)


class EntrySource(enum.StrEnum):
    MANUAL = "manual"
    SAVINGS = "savings"
    REVERSAL = "reversal"
    OPENING = "opening"
    SHU = "shu"
    RECLASS = "reclass"  # balances moved between accounts; nobody's money moved
    INTEREST = "interest"  # a month's interest on voluntary savings
    LOAN = "loan"  # a member loan paid out
    SALE = "sale"  # a sale at a business unit's counter
    STOCK = "stock"  # goods received, a stock count, a day's closing of a unit


class Account(TenantBase):
    """One account of the chart. Header accounts group others and take no postings."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # None while the template's (translated) name is kept; the cooperative's own name otherwise.
    name: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[AccountKind] = mapped_column(value_enum(AccountKind, "account_kind", native=False))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    is_header: Mapped[bool] = mapped_column(Boolean, default=False)
    # What operations look an account up by ("cash", "savings_wajib"...); unique when set.
    role: Mapped[str | None] = mapped_column(String(30), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Period(TenantBase):
    """A calendar month of the books. Counting a month counts every month before it too (their
    totals in ``month_totals``). Closing a month closes every month before it: nothing is
    posted on or before the last closed month."""

    __tablename__ = "periods"
    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
    # When the month's totals were counted, once it had ended (a closing counts them as well).
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class JournalEntry(TenantBase):
    """A posted journal entry: immutable; corrected only by a reversing entry."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(300))
    source: Mapped[EntrySource] = mapped_column(
        value_enum(EntrySource, "entry_source", native=False)
    )
    # Rendered into each form: the same key posted again returns the first entry.
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lines: Mapped[list[JournalLine]] = relationship(
        order_by="JournalLine.id", back_populates="entry"
    )


class JournalLine(TenantBase):
    """One side of an entry: a positive amount on exactly one of debit and credit.

    The entry's date is copied here (lines never change), so balances as of a date read one
    index without joining the entries.
    """

    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint(
            f"debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0) "
            f"AND debit <= {MAX_AMOUNT} AND credit <= {MAX_AMOUNT}",
            name="one_positive_side",
        ),
        Index(
            "ix_journal_lines_account_date",
            "account_id",
            "entry_date",
            postgresql_include=["debit", "credit"],
        ),
        Index("ix_journal_lines_member_account", "member_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    entry_date: Mapped[date] = mapped_column(Date)
    debit: Mapped[int] = mapped_column(BigInteger, default=0)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)
    line_no: Mapped[int] = mapped_column(Integer, default=1)

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")


class MonthTotal(TenantBase):
    """One account's debit and credit totals over a month that has been counted (``COUNTING``):
    every month up to the last with a row is counted; a month without lines on the account
    has no row until a late entry gives it one (``LATE_LINES``)."""

    __tablename__ = "month_totals"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("debit >= 0 AND credit >= 0 AND debit + credit > 0", name="has_lines"),
    )

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    month: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), primary_key=True
    )
    debit: Mapped[int] = mapped_column(BigInteger)
    credit: Mapped[int] = mapped_column(BigInteger)


class EntryAttachment(TenantBase):
    """A photo of the paper receipt behind an entry (kept privately, like documents)."""

    __tablename__ = "entry_attachments"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- the database's own guards -------------------------------------------------------------------
# Functions live in the tenant's schema and run with their search_path set to it, so their SQL
# is static: planned once per connection, not at every call. Claiming a pooled schema renames it
# and points its functions' search_path at the new name (saas.tenants.schemas).

LEDGER_FUNCTIONS = """
CREATE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    debits numeric;
    credits numeric;
    lines integer;
    paying bigint[];
    drawn bigint[];
    short_account bigint;
    short_member bigint;
    short_balance numeric;
BEGIN
    -- Once per entry, at commit: its lines came in one statement that checked them
    -- (ledger_lines_whole), so this finds an entry left without lines; and what it takes out:
    -- of the cash and bank accounts (rules.CASH_ROLES), and of members' balances.
    SELECT coalesce(sum(line.debit), 0), coalesce(sum(line.credit), 0), count(*),
           array_agg(account.id) FILTER (WHERE line.credit > 0
                                         AND account.role IN ('cash', 'bank')),
           array_agg(account.id) FILTER (WHERE line.member_id IS NOT NULL AND CASE
               WHEN account.kind IN ('asset', 'expense') THEN line.credit
               ELSE line.debit END > 0)
    INTO debits, credits, lines, paying, drawn
    FROM journal_lines line JOIN accounts account ON account.id = line.account_id
    WHERE line.entry_id = NEW.id;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            NEW.id, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    IF paying IS NULL AND drawn IS NULL THEN
        RETURN NULL;
    END IF;
    -- The lock, held to the commit, makes a payout checked at the same moment wait for this
    -- one's commit, and then count it.
    PERFORM FROM accounts WHERE id = ANY(paying || drawn) ORDER BY id FOR NO KEY UPDATE;
    IF paying IS NOT NULL THEN
        -- Money paid out never takes the cash box or the bank below zero: what the counted
        -- months' totals hold and the lines after them (a counting waits for this commit).
        SELECT account_id, sum(amount) INTO short_account, short_balance
        FROM (SELECT account_id, debit - credit AS amount FROM month_totals
              WHERE account_id = ANY(paying)
              UNION ALL
              SELECT account_id, debit - credit FROM journal_lines
              WHERE account_id = ANY(paying) AND entry_date >= coalesce(
                  (SELECT (make_date(year, month, 1) + interval '1 month')::date
                   FROM month_totals ORDER BY year DESC, month DESC LIMIT 1),
                  '-infinity')) held
        GROUP BY account_id HAVING sum(amount) < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'account % would hold %: money is never paid out below zero',
                short_account, short_balance USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF drawn IS NOT NULL THEN
        -- Nor does a member's balance on an account go past zero (savings paid out twice).
        SELECT mine.account_id, mine.member_id, held.amount
        INTO short_account, short_member, short_balance
        FROM (SELECT DISTINCT account_id, member_id FROM journal_lines
              WHERE entry_id = NEW.id AND member_id IS NOT NULL) mine
        JOIN accounts account ON account.id = mine.account_id
        CROSS JOIN LATERAL (SELECT CASE WHEN account.kind IN ('asset', 'expense')
                                THEN sum(debit - credit) ELSE sum(credit - debit) END AS amount
                            FROM journal_lines
                            WHERE account_id = mine.account_id AND member_id = mine.member_id) held
        WHERE held.amount < 0 LIMIT 1;
        IF short_account IS NOT NULL THEN
            RAISE EXCEPTION 'member % would hold % on account %: never below zero',
                short_member, short_balance, short_account USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_lines_whole() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    bad record;
BEGIN
    -- An entry's lines are written together: the statement that writes them holds all of
    -- them, they balance and they carry the entry's date. No line joins an entry later.
    SELECT given.*, entry.entry_date, stored.lines AS stored INTO bad
    FROM (SELECT entry_id, count(*) AS lines, sum(debit) AS debits,
                 sum(credit) AS credits, min(entry_date) AS first_date,
                 max(entry_date) AS last_date
          FROM new_lines GROUP BY entry_id) given
    JOIN journal_entries entry ON entry.id = given.entry_id
    CROSS JOIN LATERAL (SELECT count(*) AS lines FROM journal_lines
                        WHERE entry_id = given.entry_id) stored
    WHERE stored.lines <> given.lines
       OR given.lines < 2 OR given.debits <> given.credits OR given.debits = 0
       OR given.first_date <> entry.entry_date OR given.last_date <> entry.entry_date
    LIMIT 1;
    IF bad IS NULL THEN
        RETURN NULL;
    ELSIF bad.stored <> bad.lines THEN
        RAISE EXCEPTION 'journal entry % has its lines already: lines are never added',
            bad.entry_id USING ERRCODE = 'restrict_violation';
    ELSIF bad.first_date <> bad.entry_date OR bad.last_date <> bad.entry_date THEN
        RAISE EXCEPTION 'the lines of journal entry % are not dated %, the entry''s date',
            bad.entry_id, bad.entry_date USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
        bad.entry_id, bad.lines, bad.debits, bad.credits USING ERRCODE = 'check_violation';
END $$;

CREATE FUNCTION {schema}.ledger_count_late_lines() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    counted date;
BEGIN
    -- Lines dated in a month already counted (a late entry: the month is still open) join
    -- that month's totals in the statement that writes them. A counting waits for this
    -- transaction to end (LOCK ... SHARE), so no line is counted twice or missed.
    SELECT (make_date(year, month, 1) + interval '1 month')::date INTO counted
    FROM month_totals ORDER BY year DESC, month DESC LIMIT 1;
    IF counted IS NULL THEN
        RETURN NULL;
    END IF;
    -- In the order of the rows' keys, so two late entries never wait on each other in a ring.
    INSERT INTO month_totals AS total (year, month, account_id, debit, credit)
    SELECT extract(year FROM entry_date), extract(month FROM entry_date), account_id,
           sum(debit), sum(credit)
    FROM new_lines WHERE entry_date < counted
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (year, month, account_id) DO UPDATE
    SET debit = total.debit + excluded.debit, credit = total.credit + excluded.credit;
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted journal entries are never changed: post a reversing entry'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF EXISTS (SELECT FROM periods
               WHERE (year, month) >= (extract(year FROM NEW.entry_date)::int,
                                       extract(month FROM NEW.entry_date)::int)
                 AND closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""

LEDGER_TRIGGERS = """
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON {schema}.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
CREATE TRIGGER journal_lines_whole AFTER INSERT ON {schema}.journal_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_lines_whole();
CREATE TRIGGER journal_lines_late AFTER INSERT ON {schema}.journal_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_count_late_lines();
CREATE TRIGGER journal_entries_immutable BEFORE UPDATE OR DELETE ON {schema}.journal_entries
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_lines_immutable BEFORE UPDATE OR DELETE ON {schema}.journal_lines
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_entries_truncate BEFORE TRUNCATE ON {schema}.journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_lines_truncate BEFORE TRUNCATE ON {schema}.journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_immutable();
CREATE TRIGGER journal_entries_period_open BEFORE INSERT ON {schema}.journal_entries
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_period_open();
"""


# Closing a month is for good: created with the periods table, which may come before the lines.
PERIOD_GUARDS = """
CREATE FUNCTION {schema}.ledger_period_stays_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A month is closed for good: its reports were read, and published, as they stand.
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'periods are never removed' USING ERRCODE = 'restrict_violation';
    ELSIF OLD.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'the period %-% is closed for good', OLD.year, OLD.month
            USING ERRCODE = 'restrict_violation';
    ELSIF TG_OP = 'UPDATE' AND (NEW.year, NEW.month) <> (OLD.year, OLD.month) THEN
        RAISE EXCEPTION 'a period never becomes another month'
            USING ERRCODE = 'restrict_violation';
    ELSIF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER periods_stay_closed BEFORE UPDATE OR DELETE ON {schema}.periods
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_period_stays_closed();
CREATE TRIGGER periods_truncate BEFORE TRUNCATE ON {schema}.periods
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_period_stays_closed();
"""


# A month's totals are counted when it is counted or closes, with every month not counted yet up
# to it (one statement may count or close several): the counted months are those up to the last
# with a row (a counted month with lines on it has rows). The SHARE lock waits for every
# transaction writing entries to finish, and holds new ones until this one commits, so an entry
# is either in the count or, dated in a counted month, adds its own lines (``LATE_LINES``).
COUNTING = """
CREATE FUNCTION {schema}.ledger_count_months() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    counted date;
    through date := (make_date(NEW.year, NEW.month, 1) + interval '1 month')::date;
BEGIN
    LOCK TABLE journal_entries IN SHARE MODE;
    SELECT (make_date(year, month, 1) + interval '1 month')::date INTO counted
    FROM month_totals ORDER BY year DESC, month DESC LIMIT 1;
    IF counted >= through THEN
        RETURN NULL;
    END IF;
    INSERT INTO month_totals (year, month, account_id, debit, credit)
    SELECT extract(year FROM totals.month), extract(month FROM totals.month), account.id,
           totals.debit, totals.credit
    FROM accounts account
    CROSS JOIN LATERAL (SELECT date_trunc('month', entry_date) AS month,
                               sum(debit) AS debit, sum(credit) AS credit
                        FROM journal_lines
                        WHERE account_id = account.id AND entry_date < through
                          AND entry_date >= coalesce(counted, '-infinity')
                        GROUP BY 1) totals;
    RETURN NULL;
END $$;
CREATE TRIGGER periods_count AFTER INSERT OR UPDATE OF counted_at, closed_at ON {schema}.periods
    FOR EACH ROW WHEN (NEW.counted_at IS NOT NULL OR NEW.closed_at IS NOT NULL)
    EXECUTE FUNCTION {schema}.ledger_count_months();
"""

TOTALS_GUARDS = """
CREATE FUNCTION {schema}.ledger_totals_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Written by a month's count and by late entries' lines alone (a trigger within a
    -- trigger), and never removed.
    IF TG_OP IN ('INSERT', 'UPDATE') AND pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a month''s totals are counted from its lines by the database'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER month_totals_counted
    BEFORE INSERT OR UPDATE OR DELETE ON {schema}.month_totals
    FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_totals_counted();
CREATE TRIGGER month_totals_truncate BEFORE TRUNCATE ON {schema}.month_totals
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_totals_counted();
"""


create_guards_with(JournalLine.__table__, LEDGER_FUNCTIONS + LEDGER_TRIGGERS)

# The periods' table may come before the lines' and the totals' (the function finds them when
# it runs).
create_guards_with(Period.__table__, PERIOD_GUARDS + COUNTING)

create_guards_with(MonthTotal.__table__, TOTALS_GUARDS)
