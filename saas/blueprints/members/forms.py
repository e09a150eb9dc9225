"""Forms of the members' register."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from saas import clock
from saas.blueprints.forms import REQUIRED, Form, not_in_future, within_calendar
from saas.blueprints.profile.forms import PHOTO_FIELD_KW, optional_phone
from saas.members.rules import check_nik

NIK_MESSAGES = {
    "format": _l("A NIK has exactly 16 digits."),
    "province": _l("The first two digits of this NIK are not a province code."),
    "wilayah": _l("The kabupaten and kecamatan digits of a NIK cannot be 00."),
    "birth_date": _l("The birth date in this NIK (digits 7 to 12) is not a real date."),
    "serial": _l("The last four digits of a NIK cannot be 0000."),
}


def valid_nik(_form: Any, field: Field) -> None:
    """Check the NIK's structure; keep the digits only (spaces and dots typed are dropped)."""
    result = check_nik(field.data or "", today=clock.today())
    if not result.valid:
        raise ValidationError(str(NIK_MESSAGES[result.errors[0]]))
    field.data = result.nik


class MemberForm(Form):
    nik = StringField(
        _l("NIK (16 digits, from the KTP)"),
        validators=[DataRequired(message=REQUIRED), valid_nik],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 24},
    )
    name = StringField(
        _l("Full name, as on the KTP"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    phone = StringField(
        _l("Mobile / WhatsApp number"),
        validators=[optional_phone],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=300)])
    village = StringField(_l("Village or hamlet"), validators=[Optional(), Length(max=120)])
    join_date = DateField(
        _l("Joined on"),
        validators=[
            DataRequired(message=_l("Enter the date the member joined.")),
            within_calendar,
        ],
    )
    ktp_photo = FileField(
        _l("Photo of the KTP (JPEG or PNG; seen only by the chair, secretary and treasurer)"),
        render_kw=PHOTO_FIELD_KW,
    )

    def validate_join_date(self, field: Field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(str(_l("The join date cannot be in the future.")))


class ExitForm(Form):
    left_on = DateField(
        _l("Left on"),
        validators=[DataRequired(message=_l("Enter the date the member left.")), not_in_future],
    )
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why the member leaves.")), Length(max=300)],
        render_kw={"maxlength": 300},
    )
    method = SelectField(
        _l("Savings paid back by"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("transfer", _l("Bank transfer")),
        ],
    )
    key = HiddenField()
