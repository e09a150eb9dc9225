"""Forms for the officers' area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from saas.accounts.roles import ROLE_LABELS, Role
from saas.blueprints.auth.forms import EMAIL_INVALID
from saas.blueprints.forms import REQUIRED, Form, choices_from


def role_choices() -> list[SelectChoice]:
    return choices_from(ROLE_LABELS)


class InviteForm(Form):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=REQUIRED), Email(message=EMAIL_INVALID), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
    role = SelectField(_l("Role"), choices=role_choices, default=Role.SEKRETARIS.value)


class TeamMemberForm(Form):
    role = SelectField(_l("Role"), choices=role_choices)
    is_active = BooleanField(_l("Can sign in"))
