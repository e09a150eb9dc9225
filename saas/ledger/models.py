"""The ledger's tables, in each tenant's schema.

The database guards the books as well as the code: a deferred constraint trigger refuses an entry
whose lines do not balance, triggers refuse any UPDATE or DELETE of posted entries and lines, and
an entry dated in a closed period is refused (``LEDGER_DDL``, created with the tables and by the
migration that introduced them).
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
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import TENANT_SCHEMA, TenantBase, value_enum
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
    """A calendar month of the books. Closing a month closes every month before it: nothing is
    posted on or before the last closed month."""

    __tablename__ = "periods"
    __table_args__ = (
        UniqueConstraint("year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int] = mapped_column(SmallInteger)
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
# Functions live in the tenant's schema and name tables through TG_TABLE_SCHEMA, so they follow
# the schema when a pooled schema is renamed and never depend on search_path.

LEDGER_FUNCTIONS = """
CREATE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    checked text;
    debits numeric;
    credits numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
    -- An entry and each of its lines queue one check; once one passes, the others have nothing
    -- left to find until more lines are inserted (ledger_forget_balanced, before every insert).
    checked := TG_TABLE_SCHEMA || '.' || entry;
    IF current_setting('guyub.balanced_entry', true) = checked THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) '
        'FROM %I.journal_lines WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines USING entry;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            entry, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('guyub.balanced_entry', checked, true);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_forget_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('guyub.balanced_entry', '', true);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted journal entries are never changed: post a reversing entry'
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.periods WHERE (year, month) >= ($1, $2) '
        'AND closed_at IS NOT NULL)', TG_TABLE_SCHEMA)
        INTO closed
        USING extract(year FROM NEW.entry_date)::int, extract(month FROM NEW.entry_date)::int;
    IF closed THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""

LEDGER_TRIGGERS = """
CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON {schema}.journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON {schema}.journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {schema}.ledger_entry_balanced();
CREATE TRIGGER journal_lines_forget_balanced BEFORE INSERT ON {schema}.journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_forget_balanced();
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


def ledger_ddl(schema: str) -> str:
    """The functions and triggers, for ``schema`` (``""`` for the migration's search_path)."""
    prefix = f'"{schema}".' if schema else ""
    return (LEDGER_FUNCTIONS + LEDGER_TRIGGERS).replace("{schema}.", prefix)


@event.listens_for(JournalLine.__table__, "after_create")
def _create_ledger_guards(_table: object, connection: Connection, **_kw: object) -> None:
    """Add the guards whenever the tables are created from the metadata (new schemas, tests)."""
    schema_map = connection.get_execution_options().get("schema_translate_map") or {}
    ddl = ledger_ddl(schema_map.get(TENANT_SCHEMA, TENANT_SCHEMA))
    connection.exec_driver_sql(ddl.replace("%", "%%"))  # the driver reads % as a placeholder
