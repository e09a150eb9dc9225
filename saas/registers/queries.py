"""Reading the registers: a book's page of lines, a period's lines to print, and the views of the
members and the board, which stay where they are kept (never a second copy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from saas.members.models import Member
from saas.microsite import operations as microsite
from saas.microsite.models import BoardMember
from saas.microsite.rules import PENGAWAS, PENGURUS
from saas.registers.models import Direction, Kind, Letter, RegisterEntry

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a book, newest first, and whether an older page follows."""

    rows: Sequence[T]
    number: int
    has_more: bool


def _page(session: Session, query: Select[Any], number: int) -> Page[Any]:
    rows = list(session.scalars(query.limit(PAGE_SIZE + 1).offset((number - 1) * PAGE_SIZE)))
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE)


def entries_page(session: Session, kind: Kind, number: int = 1) -> Page[RegisterEntry]:
    query = select(RegisterEntry).where(RegisterEntry.kind == kind)
    return _page(
        session, query.order_by(RegisterEntry.entry_date.desc(), RegisterEntry.id.desc()), number
    )


def entries_between(session: Session, kind: Kind, start: date, end: date) -> list[RegisterEntry]:
    """A book's lines dated within the period, in the order they happened."""
    query = select(RegisterEntry).where(
        RegisterEntry.kind == kind, RegisterEntry.entry_date.between(start, end)
    )
    return list(session.scalars(query.order_by(RegisterEntry.entry_date, RegisterEntry.id)))


def letters_page(session: Session, direction: Direction, number: int = 1) -> Page[Letter]:
    query = select(Letter).where(Letter.direction == direction)
    return _page(session, query.order_by(Letter.letter_date.desc(), Letter.id.desc()), number)


def letters_between(session: Session, direction: Direction, start: date, end: date) -> list[Letter]:
    query = select(Letter).where(
        Letter.direction == direction, Letter.letter_date.between(start, end)
    )
    return list(session.scalars(query.order_by(Letter.letter_date, Letter.id)))


def corrected_ids(
    session: Session, model: type[RegisterEntry] | type[Letter], ids: list[int]
) -> set[int]:
    """Which of ``ids`` a later line corrects."""
    if not ids:
        return set()
    query = select(model.corrects_id).where(model.corrects_id.in_(ids))
    return {i for i in session.scalars(query) if i is not None}


def get_entry_for_tenant(session: Session, kind: Kind, entry_id: int) -> RegisterEntry | None:
    entry = session.get(RegisterEntry, entry_id)
    return entry if entry is not None and entry.kind == kind else None


def get_letter_for_tenant(session: Session, direction: Direction, letter_id: int) -> Letter | None:
    letter = session.get(Letter, letter_id)
    return letter if letter is not None and letter.direction == direction else None


def members_page(session: Session, number: int = 1) -> Page[Member]:
    """The members' register: every member ever admitted, the latest first."""
    query = select(Member).order_by(Member.join_date.desc(), Member.id.desc())
    return _page(session, query, number)


def members_between(session: Session, start: date, end: date) -> list[Member]:
    """The members who belonged to the cooperative at some time within the period."""
    query = select(Member).where(
        Member.join_date <= end, or_(Member.left_on.is_(None), Member.left_on >= start)
    )
    return list(session.scalars(query.order_by(Member.join_date, Member.id)))


def board(session: Session, supervisors: bool) -> list[BoardMember]:
    """The officers (pengurus) or the supervisors (pengawas) as the profile keeps them."""
    positions = PENGAWAS if supervisors else PENGURUS
    return [m for m in microsite.list_board(session) if m.position in positions]
