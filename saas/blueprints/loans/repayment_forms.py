"""The forms of paying a loan back, cancelling a payment and restructuring, and the messages
of the rules' refusals with what they name."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from saas import clock
from saas.blueprints.forms import (
    REQUIRED,
    Form,
    choices_from,
    not_in_future,
    rupiah_amount,
    valid_key,
)
from saas.blueprints.labels import METHOD_LABELS
from saas.blueprints.loans.forms import NUMBER, percent
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.loans.schedule import MAX_INSTALMENTS

METHOD_CHOICES = choices_from(METHOD_LABELS)

REPAYMENT_ERRORS = {
    "not_active": _l("This loan takes no payments: it is not paid out, or it is paid off."),
    "before_payout": _l("The date is before the loan was paid out. Check the date."),
    "nothing_to_pay": _l("Enter an amount above zero."),
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "restructured_since": _l(
        "The loan was restructured after this payment and its new schedule rests on it, so"
        " the payment can no longer be cancelled."
    ),
    "already_reversed": _l("This payment has already been cancelled."),
    "reason_required": _l("Write the reason."),
    "rate_out_of_range": _l("Enter a percentage from 0 to 100, like 1,5."),
}
UNKNOWN = _l("This could not be recorded. Open the page again and try once more.")


def refusal_message(exc: LedgerError) -> str:
    """The rules' refusal as a sentence, with the amounts or numbers it names."""
    details = exc.details
    if exc.code == "more_than_owed":
        return _(
            "That is more than the loan still owes (%(owed)s). To pay it off today, pay"
            " %(payoff)s.",
            owed=rupiah_filter(int(str(details["owed"]))),
            payoff=rupiah_filter(int(str(details["payoff"]))),
        )
    if exc.code == "payoff_amount":
        return _(
            "Paying the loan off today takes exactly %(payoff)s.",
            payoff=rupiah_filter(int(str(details["payoff"]))),
        )
    if exc.code == "tenor_out_of_range":
        return _(
            "Choose from %(low)s to %(high)s instalments.", low=details["low"], high=details["high"]
        )
    if exc.code == "too_small_for_tenor":
        return _(
            "What is still owed is too small for so many instalments: each must be at least"
            " %(minimum)s in all. Choose fewer.",
            minimum=rupiah_filter(int(str(details["minimum"]))),
        )
    return str(REPAYMENT_ERRORS.get(exc.code, UNKNOWN))


class RepaymentForm(Form):
    """An instalment (or more, or part of one) taken at the counter."""

    amount = rupiah_amount(_l("Amount in rupiah"))
    method = SelectField(_l("Paid by"), choices=METHOD_CHOICES)
    paid_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    key = HiddenField(validators=[valid_key])
    offers_payoff = False  # set when the amount was more than owed: the page offers the payoff


class PayoffForm(Form):
    """Paying the loan off today: the amount shown on the page, so a page out of date fails."""

    amount = IntegerField(widget=HiddenInput(), validators=[InputRequired(message=REQUIRED)])
    method = SelectField(_l("Paid by"), choices=METHOD_CHOICES)
    key = HiddenField(validators=[valid_key])


class ReversalForm(Form):
    reason = StringField(
        _l("Why is this payment cancelled?"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    key = HiddenField(validators=[valid_key])


class RestructureForm(Form):
    """New terms for what a loan still owes: the tenor, the rate (kept when empty), why."""

    instalments = IntegerField(
        _l("New number of instalments"),
        validators=[
            InputRequired(message=_l("Enter the number of instalments.")),
            NumberRange(
                min=1,
                max=MAX_INSTALMENTS,
                message=_l("Enter a number of instalments from %(min)s to %(max)s."),
            ),
        ],
        render_kw=NUMBER,
    )
    rate = percent(_l("New annual rate in percent (empty: keep the loan's rate)"), required=False)
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=300)],
        render_kw={"maxlength": 300},
    )


def fresh(form_class: type[Form], **values: Any) -> Any:
    """A form not yet sent, carrying a new idempotency key: sending it twice posts once."""
    form = form_class(formdata=None, prefix=PREFIXES[form_class], **values)
    form.key.data = str(uuid.uuid4())
    if isinstance(form, RepaymentForm):
        form.paid_on.data = clock.today()
    return form


PREFIXES: dict[type[Form], str] = {
    RepaymentForm: "angsuran",
    PayoffForm: "lunasi",
    ReversalForm: "batal",
    RestructureForm: "restruktur",
}
