"""Form pieces shared by several areas: password fields, rupiah amounts, translated checks."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, PasswordField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from saas import clock
from saas.accounts.passwords import password_problems
from saas.blueprints.form_messages import FORM_TRANSLATIONS, FormTranslations
from saas.ledger.models import MAX_AMOUNT

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least 8 characters."),
    "too_long": _l("Use at most 256 characters."),
    "common": _l("This password is too common and easy to guess. Choose another."),
    "personal": _l("Don't use your name or email address in your password."),
}


class Form(FlaskForm):
    """Every form of the app: WTForms' own messages ("Not a valid choice.") come from the app's
    catalogs in the request's language, since WTForms ships no Indonesian."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> FormTranslations:
            return FORM_TRANSLATIONS


def choices_from(labels: Mapping[Any, object] | Iterable[tuple[Any, object]]) -> list[SelectChoice]:
    """A select's options from ``{value: label}`` (or pairs), in order: an enum member offers its
    value, and a lazy label stays lazy, so each page shows it in the request's language."""
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    return [SelectChoice(str(_option_value(value)), label) for value, label in pairs]


def _option_value(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


REQUIRED = _l("This field is required.")

# "25000", "25.000", "Rp 1.250.000" or "1 250 000": whole rupiah with optional thousands marks.
RUPIAH_TYPED = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+)$", re.IGNORECASE)
NOT_RUPIAH = _l("Enter the amount in whole rupiah, like 25000.")


class RupiahField(IntegerField):
    """An amount in whole rupiah as people type it; anything else gets one clear message.

    A text input with the number keyboard: a number input would refuse "1.250.000" as typed."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        typed = str(valuelist[0]).strip()
        if not typed:
            self.data = None
            return
        negative = typed.startswith("-")  # kept, so the range check can name the limits
        match = RUPIAH_TYPED.fullmatch(typed.removeprefix("-").strip())
        if match is None:
            self.data = None
            raise ValueError(str(NOT_RUPIAH))
        amount = int(re.sub(r"\D", "", match.group(1)))
        self.data = -amount if negative else amount


def rupiah_amount(label: str | LazyString) -> RupiahField:
    """A required amount from Rp1 up to Rp1 trillion, with the phone's number keyboard."""
    return RupiahField(
        label,
        validators=[
            InputRequired(message=NOT_RUPIAH),
            NumberRange(
                min=1,
                max=MAX_AMOUNT,
                message=_l("Enter an amount from Rp1 up to Rp1.000.000.000.000."),
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def optional_rupiah_amount(label: str | LazyString) -> RupiahField:
    """An amount that may be left empty (the rules then know it), else from Rp1 up to Rp1
    trillion, with the phone's number keyboard."""
    return RupiahField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_AMOUNT,
                message=_l("Enter an amount from Rp1 up to Rp1.000.000.000.000."),
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


EARLIEST_DATE = date(1945, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def within_calendar(_form: Any, field: Field) -> None:
    """A date the books can hold: from 1945 to 2100 (year 1 or 9999 is a typing slip)."""
    if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(str(_l("Check the year of the date.")))


def not_in_future(_form: Any, field: Field) -> None:
    if field.data and field.data > clock.today():
        raise ValidationError(str(_l("The date cannot be in the future.")))
    within_calendar(_form, field)


class StrongPassword:
    """Checks a new password against the policy, naming each problem."""

    def __init__(self, *personal_fields: str) -> None:
        self.personal_fields = personal_fields

    def __call__(self, form: Any, field: Field) -> None:
        personal = tuple(
            str(getattr(form, name).data or "")
            for name in self.personal_fields
            if hasattr(form, name)
        )
        personal += tuple(getattr(form, "personal_words", ()))
        problems = password_problems(field.data or "", personal=personal)
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_MESSAGES[p]) for p in problems))


class NewPasswordForm(Form):
    """Choose a password twice; ``personal_words`` may be set to names and emails to avoid."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=REQUIRED), StrongPassword()],
        render_kw={"autocomplete": "new-password", "minlength": 8},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=REQUIRED),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def valid_key(_form: Any, field: Field) -> None:
    """A form's idempotency key: a UUID, else the form is out of date. The form sent back then
    carries a new key, so that sending it again records once; a good key is kept as sent."""
    try:
        field.data = uuid.UUID(str(field.data))
    except ValueError as exc:
        field.data = str(uuid.uuid4())
        raise ValidationError(str(_l("This form is out of date. Open it again."))) from exc
