"""Forms of the platform admins' area."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from saas.blueprints.forms import REQUIRED, Form, choices_from
from saas.i18n import LOCALE_NAMES
from saas.tenants.rules import SlugError, check_slug, normalise_slug

SLUG_MESSAGES = {
    "malformed": _l(
        "Use 3 to 40 lowercase letters, digits and single hyphens, starting and ending with a "
        "letter or digit."
    ),
    "reserved": _l("This address is reserved. Choose another."),
    "taken": _l("This address is already used by another cooperative."),
}


def check_slug_field(_form: Any, field: Field) -> None:
    field.data = normalise_slug(field.data or "")
    try:
        check_slug(field.data)
    except SlugError as exc:
        raise ValidationError(str(SLUG_MESSAGES[exc.code])) from exc


class NewCooperativeForm(Form):
    display_name = StringField(
        _l("Cooperative name"),
        validators=[DataRequired(message=REQUIRED), Length(max=200)],
        render_kw={"autocapitalize": "words", "placeholder": "Koperasi Desa Merah Putih ..."},
    )
    slug = StringField(
        _l("Web address"),
        validators=[DataRequired(message=REQUIRED), check_slug_field],
        render_kw={"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"},
    )
    default_locale = SelectField(
        _l("Default language"),
        choices=choices_from(LOCALE_NAMES),
        default="id",
    )
