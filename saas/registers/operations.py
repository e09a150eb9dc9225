"""The only writers of the registers. They flush and never commit: the request commits once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.members.models import Counter
from saas.registers.kinds import ROMAN_MONTHS
from saas.registers.models import (
    EDITABLE_KINDS,
    Direction,
    Kind,
    Letter,
    RegisterEntry,
)

ENTRY_FIELDS = ("entry_date", "name", "place", "category", "count", "amount", "body", "outcome")


class RegisterRefused(Exception):
    """An entry the registers do not take; ``reason`` names the message the page shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def add_entry(
    session: Session,
    kind: Kind,
    values: dict[str, Any],
    *,
    recorded_by_id: int | None,
    corrects: RegisterEntry | None = None,
) -> RegisterEntry:
    """A new line in the book of ``kind``; with ``corrects``, the line that corrects that one."""
    if corrects is not None and (corrects.kind != kind or kind in EDITABLE_KINDS):
        raise RegisterRefused("not_correctable")
    entry = RegisterEntry(
        kind=kind,
        recorded_by_id=recorded_by_id,
        corrects_id=corrects.id if corrects is not None else None,
        **_entry_values(values),
    )
    with once_corrected(session):
        session.add(entry)
    return entry


def edit_entry(session: Session, entry: RegisterEntry, values: dict[str, Any]) -> RegisterEntry:
    """Bring an employee's or an asset's line up to date; records of fact are only corrected."""
    if entry.kind not in EDITABLE_KINDS:
        raise RegisterRefused("not_editable")
    for name, value in _entry_values(values).items():
        setattr(entry, name, value)
    session.flush()
    return entry


@contextmanager
def once_corrected(session: Session) -> Iterator[None]:
    """Insert in a savepoint: a line corrected already (by a colleague a moment ago too) is
    refused by the unique ``corrects_id`` without losing the caller's transaction."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as error:
        if "corrects_id" not in str(error.orig):
            raise
        raise RegisterRefused("already_corrected") from error


def _entry_values(values: dict[str, Any]) -> dict[str, Any]:
    """The entry's columns from a form's data: blank texts are None, unknown keys ignored."""
    cleaned = {name: values.get(name) for name in ENTRY_FIELDS}
    return {
        name: (value.strip() or None) if isinstance(value, str) else value
        for name, value in cleaned.items()
    }


def record_incoming_letter(
    session: Session,
    *,
    letter_date: date,
    number: str,
    counterpart: str,
    subject: str,
    recorded_by_id: int | None,
    corrects: Letter | None = None,
) -> Letter:
    """A letter received, under the number its sender gave it."""
    _check_direction(corrects, Direction.INCOMING)
    letter = Letter(
        direction=Direction.INCOMING,
        letter_date=letter_date,
        number=number.strip(),
        counterpart=counterpart.strip(),
        subject=subject.strip(),
        recorded_by_id=recorded_by_id,
        corrects_id=corrects.id if corrects is not None else None,
    )
    with once_corrected(session):
        session.add(letter)
    return letter


def send_letter(
    session: Session,
    *,
    code: str,
    letter_date: date,
    counterpart: str,
    subject: str,
    recorded_by_id: int | None,
    corrects: Letter | None = None,
) -> Letter:
    """An outgoing letter under the year's next number, ``001/<code>/XII/2026``.

    The number is taken and the letter inserted in one statement: the counter's row stays
    locked until commit, so the numbers run without gaps and two secretaries queue on it."""
    _check_direction(corrects, Direction.OUTGOING)
    fields = {
        "counter": f"surat-keluar-{letter_date.year}",
        "code": code,
        "month": ROMAN_MONTHS[letter_date.month - 1],
        "year": letter_date.year,
        "letter_date": letter_date,
        "counterpart": counterpart.strip(),
        "subject": subject.strip(),
        "recorded_by_id": recorded_by_id,
        "corrects_id": corrects.id if corrects is not None else None,
        "created_at": datetime.now(UTC),
    }
    with once_corrected(session):
        letter_id = session.connection().execute(OUTGOING, fields).scalar_one()
    letter = session.get(Letter, letter_id)
    assert letter is not None
    return letter


def _check_direction(corrects: Letter | None, direction: Direction) -> None:
    if corrects is not None and corrects.direction != direction:
        raise RegisterRefused("not_correctable")


def _outgoing_statement() -> Any:
    """Take the year's next sequence and insert the letter under its number, in one statement."""
    sequence = (
        insert(Counter)
        .values(name=bindparam("counter", type_=String), value=1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
        .cte("sequence")
    )
    year = bindparam("year", type_=Integer)
    digits = sequence.c.value.cast(String)
    given = select(
        func.concat(
            func.lpad(digits, func.greatest(3, func.length(digits)), "0"),
            "/",
            bindparam("code", type_=String),
            "/",
            bindparam("month", type_=String),
            "/",
            year,
        ).label("number"),
        year.label("year"),
        sequence.c.value.label("sequence"),
        bindparam("letter_date", type_=Letter.__table__.c.letter_date.type).label("letter_date"),
        bindparam("counterpart", type_=String).label("counterpart"),
        bindparam("subject", type_=String).label("subject"),
        bindparam("recorded_by_id", type_=BigInteger).label("recorded_by_id"),
        bindparam("corrects_id", type_=BigInteger).label("corrects_id"),
        bindparam("created_at", type_=Letter.__table__.c.created_at.type).label("created_at"),
        literal(Direction.OUTGOING.value, type_=String).label("direction"),
    ).select_from(sequence)
    return insert(Letter).from_select(given.selected_columns.keys(), given).returning(Letter.id)


OUTGOING = _outgoing_statement()
