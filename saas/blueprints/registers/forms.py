"""The registers' forms: one per book, built from the book's declared columns."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from saas.blueprints.forms import REQUIRED, Form, choices_from, not_in_future, rupiah_amount
from saas.registers.kinds import BOOKS, Column, FieldType
from saas.registers.models import CATEGORY_LENGTH, NAME_LENGTH, TEXT_LENGTH, Kind

MAX_COUNT = 100_000  # people at a meeting: more is a typing slip


def _needed(column: Column) -> list[Any]:
    return [DataRequired(message=REQUIRED)] if column.required else [Optional()]


def _line(label: Any, needed: list[Any], length: int) -> StringField:
    return StringField(
        label,
        validators=[*needed, Length(max=length)],
        render_kw={"maxlength": length},
    )


def _text(label: Any, needed: list[Any]) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[*needed, Length(max=TEXT_LENGTH)],
        render_kw={"maxlength": TEXT_LENGTH, "rows": 4},
    )


def _field(column: Column) -> Field:
    """The form field of one of a book's columns, bounded as the database bounds it."""
    needed = _needed(column)
    match column.type:
        case FieldType.DATE:
            return DateField(column.label, validators=[DataRequired(REQUIRED), not_in_future])
        case FieldType.LINE:
            return _line(column.label, needed, NAME_LENGTH)
        case FieldType.TEXT:
            return _text(column.label, needed)
        case FieldType.COUNT:
            return IntegerField(
                column.label,
                validators=[
                    InputRequired(message=REQUIRED) if column.required else Optional(),
                    NumberRange(min=0, max=MAX_COUNT),
                ],
                render_kw={"inputmode": "numeric"},
            )
        case FieldType.RUPIAH:
            return rupiah_amount(column.label)
        case FieldType.CHOICE:
            return SelectField(
                column.label,
                choices=choices_from(column.choices),
                validators=[*needed, Length(max=CATEGORY_LENGTH)],
            )
    raise AssertionError(column.type)


@cache
def entry_form_class(kind: Kind) -> type[Form]:
    """The form of the book of ``kind``: its columns in their declared order."""
    fields = {column.name: _field(column) for column in BOOKS[kind].columns}
    return type(f"{kind.name.title()}EntryForm", (Form,), fields)


class IncomingLetterForm(Form):
    letter_date = DateField(_l("Received on"), validators=[DataRequired(REQUIRED), not_in_future])
    number = _line(_l("The letter's number"), [DataRequired(REQUIRED)], 60)
    counterpart = _line(_l("From"), [DataRequired(REQUIRED)], NAME_LENGTH)
    subject = _text(_l("Subject"), [DataRequired(REQUIRED)])


class OutgoingLetterForm(Form):
    letter_date = DateField(_l("Sent on"), validators=[DataRequired(REQUIRED), not_in_future])
    counterpart = _line(_l("To"), [DataRequired(REQUIRED)], NAME_LENGTH)
    subject = _text(_l("Subject"), [DataRequired(REQUIRED)])
