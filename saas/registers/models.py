"""The registers' rows: one generic entry for the plain books, and the letters with their numbers.

Most books (guests, minutes, notes, recommendations, events, suggestions, employees, assets) are
a date, a name and a few bounded texts or numbers, so one table holds them by ``kind``; what each
kind asks for is declared in ``saas.registers.kinds``. Letters differ: an outgoing letter carries
a number taken without gaps per year, which the database keeps from ever changing.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase, create_guards_with, value_enum
from saas.tenants.models import utcnow

NAME_LENGTH = 200
TEXT_LENGTH = 2000
CATEGORY_LENGTH = 20


class Kind(enum.StrEnum):
    """The books kept as entries; the value is the book's address."""

    EMPLOYEES = "karyawan"
    ASSETS = "inventaris"
    GUESTS = "tamu"
    MINUTES = "notulen"
    SUPERVISORS_NOTES = "catatan-pengawas"
    RECOMMENDATIONS = "anjuran-pejabat"
    EVENTS = "peristiwa-penting"
    SUGGESTIONS = "saran"


# Employees and assets describe what is there now (a new position, an asset moved or broken):
# they are edited. Every other book (guests, minutes, notes, recommendations, events,
# suggestions) records what happened on a day: never changed, corrected by a new entry naming
# the one it corrects, so the book still shows what was first written.
EDITABLE_KINDS = frozenset({Kind.EMPLOYEES, Kind.ASSETS})


class Direction(enum.StrEnum):
    INCOMING = "in"
    OUTGOING = "out"


class RegisterEntry(TenantBase):
    """One line of a book: its date, its name and the bounded fields its kind uses."""

    __tablename__ = "register_entries"
    __table_args__ = (
        CheckConstraint("count >= 0", name="count_not_negative"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_register_entries_kind_date", "kind", "entry_date", "id"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[Kind] = mapped_column(value_enum(Kind, "register_kind", native=False))
    entry_date: Mapped[date] = mapped_column(Date)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    place: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    category: Mapped[str | None] = mapped_column(String(CATEGORY_LENGTH))
    count: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    body: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    outcome: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    # A record of fact is corrected once, by a new entry; a later fix corrects the correction.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="RESTRICT"), unique=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Letter(TenantBase):
    """A letter received or sent. An outgoing letter's number is ``<sequence>/<code>/<month in
    Roman numerals>/<year>``, the sequence running without gaps within the year.

    A letter is a record of fact (it went out under its number): never changed; a wrong line is
    corrected by a new one naming it, an outgoing one under the next number, none ever reused."""

    __tablename__ = "letters"
    __table_args__ = (
        CheckConstraint(
            "direction = 'in' OR (year IS NOT NULL AND sequence IS NOT NULL)",
            name="outgoing_numbered",
        ),
        UniqueConstraint("year", "sequence"),
        Index(
            "uq_letters_outgoing_number",
            "number",
            unique=True,
            postgresql_where=text("direction = 'out'"),
        ),
        Index("ix_letters_direction_date", "direction", "letter_date", "id"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    direction: Mapped[Direction] = mapped_column(
        value_enum(Direction, "letter_direction", native=False)
    )
    letter_date: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    counterpart: Mapped[str] = mapped_column(String(NAME_LENGTH))
    subject: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("letters.id", ondelete="RESTRICT"), unique=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- the database's own guards -------------------------------------------------------------------
# Records of fact and letters are never changed or removed; employees and assets are kept up to
# date. The function reads no table, so it needs no search_path of its own.

RECORD_KEPT = """
CREATE FUNCTION {schema}.register_record_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a register''s record is never changed: record a correction'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER register_entries_kept BEFORE UPDATE OR DELETE ON {schema}.register_entries
    FOR EACH ROW WHEN (OLD.kind NOT IN ('karyawan', 'inventaris'))
    EXECUTE FUNCTION {schema}.register_record_kept();
CREATE TRIGGER register_entries_truncate BEFORE TRUNCATE ON {schema}.register_entries
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.register_record_kept();
"""
LETTERS_KEPT = """
CREATE TRIGGER letters_kept BEFORE UPDATE OR DELETE ON {schema}.letters
    FOR EACH ROW EXECUTE FUNCTION {schema}.register_record_kept();
CREATE TRIGGER letters_truncate BEFORE TRUNCATE ON {schema}.letters
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.register_record_kept();
"""

create_guards_with(RegisterEntry.__table__, RECORD_KEPT)
create_guards_with(Letter.__table__, LETTERS_KEPT)
