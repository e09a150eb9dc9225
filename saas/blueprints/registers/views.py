"""The mandatory registers (buku wajib): each book's pages, its form and its prints.

The members', officers' and supervisors' books are views of the data kept by the members'
register and the profile; the other books are kept here by the secretary, the supervisors'
notes by the supervisors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints import MAX_ID
from saas.blueprints.forms import Form
from saas.blueprints.profile.forms import POSITION_LABELS
from saas.blueprints.registers.forms import (
    IncomingLetterForm,
    OutgoingLetterForm,
    entry_form_class,
)
from saas.blueprints.reports.letterhead import statement_pdf
from saas.blueprints.reports.statements import DOWNLOAD_LIMITS
from saas.blueprints.reports.views import file_response, period, workbook
from saas.db import tenant_db
from saas.members.models import MemberStatus
from saas.members.rules import mask_nik
from saas.registers import operations, queries
from saas.registers.kinds import BOOKS, ORDER, FieldType, View, book_named, title_of
from saas.registers.models import EDITABLE_KINDS, Direction, Kind, Letter, RegisterEntry

bp = Blueprint("registers", __name__, url_prefix="/kelola/buku-wajib")
Book = Kind | View
LETTERS = {View.INCOMING: Direction.INCOMING, View.OUTGOING: Direction.OUTGOING}
MAX_PAGE = 100_000
REFUSALS = {
    "already_corrected": _l("This entry has been corrected already: correct the correction."),
    "not_correctable": _l("This entry cannot be corrected here."),
    "not_editable": _l("This register's entries are never changed: record a correction."),
}
STATUS_LABELS = {MemberStatus.ACTIVE: _l("active"), MemberStatus.LEFT: _l("left")}


@dataclass(frozen=True)
class Row:
    """A line of a book as pages and prints show it; ``id`` for the lines one may correct."""

    cells: Sequence[object]
    id: int | None = None
    corrects_id: int | None = None
    corrected: bool = False


@dataclass(frozen=True)
class Table:
    """A book's columns (label and how to show the values) and its lines."""

    columns: Sequence[tuple[LazyString | str, FieldType]]
    rows: list[Row] = field(default_factory=list)
    has_more: bool = False


def writer_of(book: Book) -> Permission | None:
    """Who writes in ``book``: None for the books that are views of data kept elsewhere."""
    if book in (View.MEMBERS, View.OFFICERS, View.SUPERVISORS):
        return None
    if book == Kind.SUPERVISORS_NOTES:
        return Permission.WRITE_SUPERVISION
    return Permission.KEEP_REGISTERS


def book_or_404(slug: str) -> Book:
    book = book_named(slug)
    if book is None:
        abort(404)
    return book


@bp.route("")
@tenant_view(Permission.READ_REGISTERS)
def index() -> str:
    return render_template("registers/index.html", books=[(b, title_of(b)) for b in ORDER])


@bp.route("/<kind>")
@bp.route("/<kind>.<any(pdf,xlsx):fmt>")
@tenant_view(Permission.READ_REGISTERS)
def show(kind: str, fmt: str | None = None) -> ResponseReturnValue:
    """A book's lines, the latest first, a page at a time; or the period's lines to print."""
    book = book_or_404(kind)
    form, start, end, status = period()
    if fmt is None:
        return book_page(book, form), status
    if status != 200:
        abort(400)
    table = table_between(book, start, end)
    if len(table.rows) > DOWNLOAD_LIMITS[fmt]:
        # Laying out thousands of lines would hold a web worker for minutes: a shorter period.
        message = _(
            "This period has %(count)s lines, more than a download holds (%(limit)s). "
            "Choose a shorter period.",
            count=format_number(len(table.rows)),
            limit=format_number(DOWNLOAD_LIMITS[fmt]),
        )
        return book_page(book, form, refusal=message), 400
    title = str(title_of(book))
    heading = _(
        "%(register)s from %(start)s to %(end)s",
        register=title,
        start=format_date(start),
        end=format_date(end),
    )
    if fmt == "pdf":
        body = statement_pdf("registers/pdf.html", name=title, title=heading, table=table)
    else:
        body = workbook(title, sheet_rows(heading, table))
    return file_response(body, f"buku-{book.value}-{g.tenant.slug}-{end.isoformat()}.{fmt}")


def book_page(book: Book, form: Form, refusal: str | None = None) -> str:
    """The book's page: a page of its lines, the form to print a period, and what to add."""
    number = min(max(request.args.get("halaman", 1, type=int) or 1, 1), MAX_PAGE)
    writer = writer_of(book)
    return render_template(
        "registers/show.html",
        book=book,
        title=title_of(book),
        table=table_page(book, number),
        page=number,
        form=form,
        refusal=refusal,
        can_write=writer is not None and current_user.can(writer),
        can_correct=book not in EDITABLE_KINDS,
        form_url=lambda entri=None: form_url(book, entri),
    )


def form_url(book: Book, entri: int | None = None) -> str:
    """The address of the book's form: the supervisors' notes have their own (their own
    permission); the others share one."""
    if book == Kind.SUPERVISORS_NOTES:
        return url_for("registers.add_note", entri=entri)
    return url_for("registers.add", kind=book.value, entri=entri)


@bp.route("/<kind>/baru", methods=["GET", "POST"])
@tenant_view(Permission.KEEP_REGISTERS)
def add(kind: str) -> ResponseReturnValue:
    """A new line in a book the secretary keeps; ``?entri=`` edits or corrects one."""
    book = book_or_404(kind)
    if writer_of(book) != Permission.KEEP_REGISTERS:
        abort(404)
    return write(book)


@bp.route("/catatan-pengawas/baru", methods=["GET", "POST"])
@tenant_view(Permission.WRITE_SUPERVISION)
def add_note() -> ResponseReturnValue:
    """A supervisor's note; ``?entri=`` corrects one."""
    return write(Kind.SUPERVISORS_NOTES)


def write(book: Book) -> ResponseReturnValue:
    """The form of ``book``: a new line, an employee's or an asset's line brought up to date,
    or a record of fact corrected by a new line that names it."""
    session = tenant_db()
    earlier = earlier_line(book)
    form = new_form(book, earlier)
    if form.validate_on_submit():
        try:
            save(book, form, earlier)
        except operations.RegisterRefused as refused:
            session.rollback()
            form.form_errors.append(str(REFUSALS[refused.reason]))
        else:
            session.commit()
            flash(_("Saved in the register."), "success")
            return redirect(url_for("registers.show", kind=book.value))
    return render_template(
        "registers/form.html",
        book=book,
        title=title_of(book),
        form=form,
        earlier=earlier,
        editing=earlier is not None and book in EDITABLE_KINDS,
    ), 422 if form.errors or form.form_errors else 200


def earlier_line(book: Book) -> RegisterEntry | Letter | None:
    """The line named by ``?entri=``, of this book and this cooperative, or a 404."""
    entry_id = request.args.get("entri", type=int)
    if entry_id is None:
        return None
    if not 1 <= entry_id <= MAX_ID:
        abort(404)
    found: RegisterEntry | Letter | None
    if isinstance(book, Kind):
        found = queries.get_entry_for_tenant(tenant_db(), book, entry_id)
    elif book in LETTERS:
        found = queries.get_letter_for_tenant(tenant_db(), LETTERS[book], entry_id)
    else:
        found = None
    if found is None:
        abort(404)
    return found


def new_form(book: Book, earlier: RegisterEntry | Letter | None) -> Form:
    """The book's form, filled with the earlier line's values when it corrects or edits one."""
    form_class: type[Form]
    if isinstance(book, Kind):
        form_class = entry_form_class(book)
    elif book == View.INCOMING:
        form_class = IncomingLetterForm
    else:
        form_class = OutgoingLetterForm
    form = form_class(obj=earlier) if request.method == "GET" else form_class()
    if request.method == "GET" and earlier is None:
        for name in ("entry_date", "letter_date"):
            if name in form:
                form[name].data = clock.today()
    return form


def save(book: Book, form: Form, earlier: RegisterEntry | Letter | None) -> None:
    session = tenant_db()
    if isinstance(book, Kind):
        entry = earlier if isinstance(earlier, RegisterEntry) else None
        if entry is not None and book in EDITABLE_KINDS:
            operations.edit_entry(session, entry, form.data)
        else:
            operations.add_entry(
                session, book, form.data, recorded_by_id=current_user.id, corrects=entry
            )
        return
    letter = earlier if isinstance(earlier, Letter) else None
    common = {
        "letter_date": form.data["letter_date"],
        "counterpart": form.data["counterpart"],
        "subject": form.data["subject"],
        "recorded_by_id": current_user.id,
        "corrects": letter,
    }
    if book == View.INCOMING:
        operations.record_incoming_letter(session, number=form.data["number"], **common)
    else:
        sent = operations.send_letter(session, code=letter_code(), **common)
        flash(_("The letter's number is %(number)s.", number=sent.number), "success")


def letter_code() -> str:
    """The cooperative's part of its letters' numbers: ``KDMP-<ADDRESS>``."""
    return f"KDMP-{g.tenant.slug.upper()}"


# -- the books' tables ---------------------------------------------------------------------------

Columns = Sequence[tuple[LazyString | str, FieldType]]
Cells = Callable[[Any], Sequence[object]]


def book_columns(book: Book) -> tuple[Columns, Cells]:
    """The columns of ``book`` and how a line of it becomes their cells."""
    if isinstance(book, Kind):
        columns = BOOKS[book].columns
        choices = BOOKS[book].choice_labels

        def entry_cells(entry: RegisterEntry) -> list[object]:
            values = [getattr(entry, c.name) for c in columns]
            return [
                choices[c.name].get(v, v) if c.name in choices and v else v
                for c, v in zip(columns, values, strict=True)
            ]

        return [(c.label, c.type) for c in columns], entry_cells
    if book in LETTERS:
        party = _l("From") if book == View.INCOMING else _l("To")
        return [
            (_l("Date"), FieldType.DATE),
            (_l("Number"), FieldType.LINE),
            (party, FieldType.LINE),
            (_l("Subject"), FieldType.TEXT),
        ], lambda letter: [letter.letter_date, letter.number, letter.counterpart, letter.subject]
    if book == View.MEMBERS:
        return [
            (_l("Member number"), FieldType.LINE),
            (_l("Name"), FieldType.LINE),
            (_l("NIK"), FieldType.LINE),
            (_l("Joined on"), FieldType.DATE),
            (_l("Left on"), FieldType.DATE),
            (_l("Status"), FieldType.LINE),
        ], lambda member: [
            member.number,
            member.name,
            mask_nik(member.nik),
            member.join_date,
            member.left_on,
            STATUS_LABELS[member.status],
        ]
    return [(_l("Position"), FieldType.LINE), (_l("Name"), FieldType.LINE)], lambda person: [
        POSITION_LABELS[person.position],
        person.name,
    ]


def table_page(book: Book, number: int) -> Table:
    """One page of a book's lines, the latest first."""
    session = tenant_db()
    columns, cells = book_columns(book)
    if isinstance(book, Kind):
        page: queries.Page[Any] = queries.entries_page(session, book, number)
    elif book in LETTERS:
        page = queries.letters_page(session, LETTERS[book], number)
    elif book == View.MEMBERS:
        page = queries.members_page(session, number)
    else:
        rows = queries.board(session, supervisors=book == View.SUPERVISORS)
        return Table(columns, [Row(cells(r)) for r in rows])
    return Table(columns, lines(book, page.rows, cells), page.has_more)


def table_between(book: Book, start: date, end: date) -> Table:
    """A book's lines of the period, in the order they happened, to print."""
    session = tenant_db()
    columns, cells = book_columns(book)
    rows: Sequence[Any]
    if isinstance(book, Kind):
        rows = queries.entries_between(session, book, start, end)
    elif book in LETTERS:
        rows = queries.letters_between(session, LETTERS[book], start, end)
    elif book == View.MEMBERS:
        rows = queries.members_between(session, start, end)
    else:
        rows = queries.board(session, supervisors=book == View.SUPERVISORS)
    return Table(columns, lines(book, rows, cells))


def lines(book: Book, rows: Sequence[Any], cells: Cells) -> list[Row]:
    """The rows with their ids, and which of them a later line corrects."""
    if not (isinstance(book, Kind) or book in LETTERS):
        return [Row(cells(r)) for r in rows]
    model = RegisterEntry if isinstance(book, Kind) else Letter
    corrected = queries.corrected_ids(tenant_db(), model, [r.id for r in rows])
    return [Row(cells(r), r.id, r.corrects_id, r.id in corrected) for r in rows]


def sheet_rows(heading: str, table: Table) -> list[Sequence[object]]:
    """The sheet: the heading, the columns' names, then the lines as values Excel can sort."""
    return [
        [heading],
        [str(label) for label, _type in table.columns],
        *([str(c) if isinstance(c, LazyString) else c for c in row.cells] for row in table.rows),
    ]
