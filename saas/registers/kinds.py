"""What each book asks for: its title, and the entry's columns it uses with their labels.

Pure declarations: the form, the list, the PDF and the sheet of a book are all read from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from saas.registers.models import Kind


class FieldType(StrEnum):
    DATE = "date"
    LINE = "line"  # one line of text, up to NAME_LENGTH characters
    TEXT = "text"  # a paragraph, up to TEXT_LENGTH characters
    COUNT = "count"  # a whole number of people or things
    RUPIAH = "rupiah"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    """One of the entry's columns as a book uses it."""

    name: str  # the RegisterEntry attribute
    label: LazyString
    type: FieldType
    required: bool = True
    choices: tuple[tuple[str, LazyString], ...] = ()


@dataclass(frozen=True)
class Book:
    kind: Kind
    title: LazyString
    columns: tuple[Column, ...]

    @property
    def choice_labels(self) -> dict[str, dict[str, LazyString]]:
        return {c.name: dict(c.choices) for c in self.columns if c.choices}


CONDITIONS = (
    ("baik", _l("Good")),
    ("rusak_ringan", _l("Slightly damaged")),
    ("rusak_berat", _l("Badly damaged")),
)
MEETINGS = (
    ("anggota", _l("Members' meeting")),
    ("pengurus", _l("Officers' meeting")),
    ("pengawas", _l("Supervisors' meeting")),
)


def _on(label: LazyString) -> Column:
    return Column("entry_date", label, FieldType.DATE)


BOOKS: dict[Kind, Book] = {
    book.kind: book
    for book in (
        Book(
            Kind.EMPLOYEES,
            _l("Employees"),
            (
                Column("name", _l("Name"), FieldType.LINE),
                Column("place", _l("Position"), FieldType.LINE),
                _on(_l("Started on")),
                Column("body", _l("Notes"), FieldType.TEXT, required=False),
            ),
        ),
        Book(
            Kind.ASSETS,
            _l("Inventory of assets"),
            (
                Column("name", _l("Asset"), FieldType.LINE),
                _on(_l("Acquired on")),
                Column("amount", _l("Cost"), FieldType.RUPIAH),
                Column("place", _l("Location"), FieldType.LINE),
                Column("category", _l("Condition"), FieldType.CHOICE, choices=CONDITIONS),
            ),
        ),
        Book(
            Kind.GUESTS,
            _l("Guest book"),
            (
                _on(_l("Date")),
                Column("name", _l("Name"), FieldType.LINE),
                Column("place", _l("Comes from"), FieldType.LINE),
                Column("body", _l("Purpose of the visit"), FieldType.TEXT),
            ),
        ),
        Book(
            Kind.MINUTES,
            _l("Minutes of meetings"),
            (
                _on(_l("Date")),
                Column("category", _l("Meeting"), FieldType.CHOICE, choices=MEETINGS),
                Column("place", _l("Place"), FieldType.LINE),
                Column("count", _l("People present"), FieldType.COUNT),
                Column("body", _l("Agenda"), FieldType.TEXT),
                Column("outcome", _l("Decisions"), FieldType.TEXT),
            ),
        ),
        Book(
            Kind.SUPERVISORS_NOTES,
            _l("Supervisors' notes"),
            (
                _on(_l("Date")),
                Column("name", _l("Subject"), FieldType.LINE),
                Column("body", _l("Note"), FieldType.TEXT),
            ),
        ),
        Book(
            Kind.RECOMMENDATIONS,
            _l("Officials' recommendations"),
            (
                _on(_l("Date")),
                Column("name", _l("Official"), FieldType.LINE),
                Column("place", _l("Office"), FieldType.LINE, required=False),
                Column("body", _l("Recommendation"), FieldType.TEXT),
                Column("outcome", _l("Follow-up"), FieldType.TEXT, required=False),
            ),
        ),
        Book(
            Kind.EVENTS,
            _l("Important events"),
            (
                _on(_l("Date")),
                Column("name", _l("Event"), FieldType.LINE),
                Column("body", _l("What happened"), FieldType.TEXT),
            ),
        ),
        Book(
            Kind.SUGGESTIONS,
            _l("Suggestions"),
            (
                _on(_l("Date")),
                Column("name", _l("From"), FieldType.LINE),
                Column("body", _l("Suggestion"), FieldType.TEXT),
                Column("outcome", _l("Response"), FieldType.TEXT, required=False),
            ),
        ),
    )
}


class View(StrEnum):
    """The books that are views of data kept elsewhere, and the letters' two books."""

    MEMBERS = "anggota"
    OFFICERS = "pengurus"
    SUPERVISORS = "pengawas"
    INCOMING = "surat-masuk"
    OUTGOING = "surat-keluar"


VIEW_TITLES: dict[View, LazyString] = {
    View.MEMBERS: _l("Members"),
    View.OFFICERS: _l("Officers"),
    View.SUPERVISORS: _l("Supervisors"),
    View.INCOMING: _l("Incoming letters"),
    View.OUTGOING: _l("Outgoing letters"),
}

# The order of the registers' index: the books of people, of things, of letters, of the meetings.
ORDER: tuple[Kind | View, ...] = (
    View.MEMBERS,
    View.OFFICERS,
    View.SUPERVISORS,
    Kind.EMPLOYEES,
    Kind.ASSETS,
    Kind.GUESTS,
    View.INCOMING,
    View.OUTGOING,
    Kind.MINUTES,
    Kind.SUPERVISORS_NOTES,
    Kind.RECOMMENDATIONS,
    Kind.EVENTS,
    Kind.SUGGESTIONS,
)


def title_of(book: Kind | View) -> LazyString:
    return BOOKS[book].title if isinstance(book, Kind) else VIEW_TITLES[book]


def book_named(slug: str) -> Kind | View | None:
    """The book at ``slug`` in the address, or None."""
    for member in ORDER:
        if member.value == slug:
            return member
    return None


ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
