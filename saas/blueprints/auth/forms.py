"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from saas.blueprints.forms import REQUIRED, Form

EMAIL_INVALID = _l("Enter a valid email address, like nama@contoh.id.")


class LoginForm(Form):
    identifier = StringField(
        _l("Email or phone number"),
        validators=[DataRequired(message=REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=REQUIRED), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=REQUIRED), Email(message=EMAIL_INVALID), Length(max=254)],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


def email_when_it_has_an_at(form: Form, field: StringField) -> None:
    """An identifier with an @ is an email address and must read as one."""
    if "@" in (field.data or ""):
        Email(message=EMAIL_INVALID)(form, field)


class MemberForgotPasswordForm(Form):
    """On a cooperative's site: an email, or a member's phone number or member number (the
    field keeps the name ``email``, so one throttle counts both forms' requests)."""

    email = StringField(
        _l("Email, phone number or member number"),
        validators=[DataRequired(message=REQUIRED), Length(max=254), email_when_it_has_an_at],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class AccountHolderForm(Form):
    """The holder of an existing account confirms, with their own password, that it is theirs."""

    identifier = StringField(
        _l("Their email or phone number"),
        validators=[DataRequired(message=REQUIRED), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Their password, typed by them"),
        validators=[DataRequired(message=REQUIRED), Length(max=256)],
        render_kw={"autocomplete": "off"},
    )
