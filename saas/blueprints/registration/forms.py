"""The self-registration wizard's forms; each normalises what it accepts."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, Field, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from saas.accounts.roles import ROLE_LABELS, Role
from saas.blueprints.admin.forms import check_slug_field
from saas.blueprints.auth.forms import EMAIL_INVALID
from saas.blueprints.forms import REQUIRED, Form, NewPasswordForm, not_in_future
from saas.onboarding.rules import (
    IdentifierError,
    normalise_nib,
    normalise_nik_koperasi,
    normalise_npwp,
    normalise_sk_ahu,
)
from saas.phones import to_e164

IDENTIFIER_MESSAGES = {
    "npwp_length": _l("An NPWP has 15 or 16 digits."),
    "npwp_personal": _l("This is a personal NPWP (a NIK). Enter the cooperative's own NPWP."),
    "npwp_checksum": _l("This NPWP is not valid: check the digits against the card."),
    "nib_length": _l("A NIB has 13 digits."),
    "sk_ahu_format": _l(
        "Write the SK number as it appears on the decree, e.g. AHU-0001234.AH.01.29.TAHUN 2025."
    ),
    "nik_koperasi_format": _l("A Nomor Induk Koperasi has 10 to 20 digits."),
}
FOUNDING_ROLES = (Role.KETUA, Role.WAKIL_KETUA, Role.SEKRETARIS, Role.BENDAHARA)


def normalised_by(function: Any) -> Any:
    """A validator that stores the normalised identifier or names what is wrong with it."""

    def validate(_form: Any, field: Field) -> None:
        if not field.data:
            return
        try:
            field.data = function(str(field.data))
        except IdentifierError as exc:
            raise ValidationError(str(IDENTIFIER_MESSAGES[exc.code])) from exc

    return validate


class LegalIdentifiersForm(Form):
    """The legal chain a cooperative proves: SK AHU, NPWP, NIB and (later) its Nomor Induk."""

    sk_ahu_number = StringField(
        _l("SK AHU number (legal entity decree)"),
        validators=[DataRequired(message=REQUIRED), normalised_by(normalise_sk_ahu)],
        render_kw={"autocapitalize": "characters"},
    )
    sk_ahu_date = DateField(
        _l("SK AHU date"),
        validators=[DataRequired(message=_l("Enter the date of the decree.")), not_in_future],
    )
    npwp = StringField(
        _l("Cooperative's NPWP"),
        validators=[DataRequired(message=REQUIRED), normalised_by(normalise_npwp)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"),
        validators=[DataRequired(message=REQUIRED), normalised_by(normalise_nib)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    nik_koperasi = StringField(
        _l("Nomor Induk Koperasi (if you have one)"),
        validators=[Optional(), normalised_by(normalise_nik_koperasi)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class CooperativeForm(LegalIdentifiersForm):
    name = StringField(
        _l("Cooperative name"),
        validators=[DataRequired(message=REQUIRED), Length(min=5, max=200)],
        render_kw={"autocapitalize": "words"},
    )
    slug = StringField(
        _l("Web address"),
        validators=[DataRequired(message=REQUIRED), check_slug_field],
        render_kw={"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"},
    )


def valid_whatsapp(_form: Any, field: Field) -> None:
    phone = to_e164(field.data or "")
    if phone is None:
        raise ValidationError(str(_l("Enter an Indonesian mobile number, like 0812 3456 7890.")))
    field.data = phone


class OfficerForm(NewPasswordForm):
    name = StringField(
        _l("Your full name"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"autocomplete": "name", "autocapitalize": "words"},
    )
    role = SelectField(
        _l("Your role in the cooperative"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in FOUNDING_ROLES],
        default=Role.KETUA.value,
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=REQUIRED), Email(message=EMAIL_INVALID), Length(max=254)],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    phone = TelField(
        _l("WhatsApp number"),
        validators=[DataRequired(message=REQUIRED), valid_whatsapp],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
