"""The loan pages' forms: a product's terms, the approval rule, an application, the
decisions and the payout."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from saas.accounts.roles import GRANTS, ROLE_LABELS, Permission, Role
from saas.blueprints.forms import (
    REQUIRED,
    Form,
    RupiahField,
    choices_from,
    optional_rupiah_amount,
    rupiah_amount,
    valid_key,
)
from saas.blueprints.loans.labels import (
    FREQUENCY_LABELS,
    INTEREST_METHOD_LABELS,
    LOAN_ERRORS,
    PAYOFF_LABELS,
    PAYOUT_METHOD_LABELS,
    UNKNOWN_REFUSAL,
)
from saas.loans.models import Collectibility, LoanProduct, LoanSettings, PayoffRule
from saas.loans.operations import ProductTerms
from saas.loans.schedule import BASIS_POINTS, Frequency, InterestMethod

# "18", "1,5" (the Indonesian decimal comma) or "1.5": a percentage with up to two decimals.
PERCENT_TYPED = re.compile(r"^(\d{1,3})(?:[.,](\d{1,2}))?\s*%?$")
NOT_PERCENT = _l("Enter a percentage from 0 to 100, like 1,5.")
NUMBER = {"inputmode": "numeric", "autocomplete": "off"}


class PercentField(IntegerField):
    """A percentage as people type it, kept in basis points (``1,5`` is 150). A text input: a
    number input refuses the decimal comma Indonesians write."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        whole, part = divmod(int(self.data), 100)
        return f"{whole},{part:02d}".rstrip("0").rstrip(",") if part else str(whole)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        typed = str(valuelist[0]).strip()
        if not typed:
            self.data = None
            return
        match = PERCENT_TYPED.fullmatch(typed)
        if match is None:
            self.data = None
            raise ValueError(str(NOT_PERCENT))
        self.data = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def percent(label: Any, *, required: bool = True) -> PercentField:
    first = InputRequired(message=NOT_PERCENT) if required else Optional()
    return PercentField(
        label,
        validators=[first, NumberRange(min=0, max=BASIS_POINTS, message=NOT_PERCENT)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def whole_number(label: Any, low: int, high: int, *, required: bool = True) -> IntegerField:
    message = _l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    first = InputRequired(message=message) if required else Optional()
    return IntegerField(
        label,
        validators=[first, NumberRange(min=low, max=high, message=message)],
        render_kw=NUMBER,
    )


class ProductForm(Form):
    name = StringField(
        _l("Name of the product"),
        validators=[DataRequired(message=REQUIRED), Length(max=80)],
        render_kw={"maxlength": 80},
    )
    method = SelectField(
        _l("Interest method"),
        choices=choices_from(INTEREST_METHOD_LABELS),
    )
    rate = percent(_l("Interest a year, in percent"))
    frequency = SelectField(
        _l("Instalments are paid"),
        choices=choices_from(FREQUENCY_LABELS),
    )
    min_instalments = whole_number(_l("Fewest instalments"), 1, 1000)
    max_instalments = whole_number(_l("Most instalments"), 1, 1000)
    min_amount = rupiah_amount(_l("Smallest loan, in rupiah"))
    max_amount = optional_rupiah_amount(_l("Largest loan, in rupiah (may be left empty)"))
    savings_multiple = whole_number(
        _l(
            "At most this many times the member's principal and mandatory savings"
            " (may be left empty)"
        ),
        1,
        100,
        required=False,
    )
    admin_fee = percent(_l("Administration fee, in percent of the loan"))
    insurance_fee = percent(_l("Insurance fee, in percent of the loan"))
    late_fee_per_day = RupiahField(
        _l("Late fee per day for a late instalment, in rupiah"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000)],
        render_kw=NUMBER,
    )
    grace_days = whole_number(_l("Days after the due date before the late fee runs"), 0, 90)
    payoff_rule = SelectField(
        _l("Paying off early"),
        choices=choices_from(PAYOFF_LABELS),
    )
    requires_guarantor = BooleanField(_l("A guarantor is required"))
    is_active = BooleanField(_l("Offered for new applications"), default=True)
    collateral_note = StringField(
        _l("Collateral asked for (may be left empty)"),
        validators=[Optional(), Length(max=300)],
        render_kw={"maxlength": 300},
    )

    def fill_from(self, product: LoanProduct) -> None:
        """Show a product's saved terms."""
        self.name.data = product.name
        self.method.data = product.method.value
        self.rate.data = product.rate_bp
        self.frequency.data = product.frequency.value
        self.min_instalments.data = product.min_instalments
        self.max_instalments.data = product.max_instalments
        self.min_amount.data = product.min_amount
        self.max_amount.data = product.max_amount
        self.savings_multiple.data = product.savings_multiple
        self.admin_fee.data = product.admin_fee_bp
        self.insurance_fee.data = product.insurance_fee_bp
        self.late_fee_per_day.data = product.late_fee_per_day
        self.grace_days.data = product.grace_days
        self.payoff_rule.data = product.payoff_rule.value
        self.requires_guarantor.data = product.requires_guarantor
        self.collateral_note.data = product.collateral_note
        self.is_active.data = product.is_active

    def terms(self) -> ProductTerms:
        return ProductTerms(
            name=self.name.data or "",
            method=InterestMethod(self.method.data),
            frequency=Frequency(self.frequency.data),
            rate_bp=self.rate.data or 0,
            min_instalments=self.min_instalments.data or 1,
            max_instalments=self.max_instalments.data or 1,
            min_amount=self.min_amount.data or 1,
            max_amount=self.max_amount.data,
            savings_multiple=self.savings_multiple.data,
            admin_fee_bp=self.admin_fee.data or 0,
            insurance_fee_bp=self.insurance_fee.data or 0,
            late_fee_per_day=self.late_fee_per_day.data or 0,
            grace_days=self.grace_days.data or 0,
            payoff_rule=PayoffRule(self.payoff_rule.data),
            requires_guarantor=bool(self.requires_guarantor.data),
            collateral_note=(self.collateral_note.data or "").strip() or None,
            is_active=bool(self.is_active.data),
        )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        low, high = self.min_instalments.data, self.max_instalments.data
        if valid and low is not None and high is not None and low > high:
            self.max_instalments.errors = [
                str(_l("The most instalments cannot be fewer than the fewest."))
            ]
            return False
        return valid


APPROVER_ROLES = [role for role in Role if role in GRANTS[Permission.DECIDE_LOANS]]


class SettingsForm(Form):
    approver_roles = SelectMultipleField(
        _l("Roles that approve loans"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in APPROVER_ROLES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    approvals_required = whole_number(_l("Approvals a loan needs"), 1, 5)


GRADES = ("kurang_lancar", "diragukan", "macet")  # the classes a loan slips into, in order


class ThresholdsForm(Form):
    """Days of principal in arrears after which a loan of one frequency slips a class."""

    class Meta:
        csrf = False

    kurang_lancar = whole_number(_l("Substandard (kurang lancar) after this many days"), 1, 3650)
    diragukan = whole_number(_l("Doubtful (diragukan) after this many days"), 1, 3650)
    macet = whole_number(_l("Loss (macet) after this many days"), 1, 3650)

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.kurang_lancar.data < self.diragukan.data < self.macet.data:
            self.macet.errors = [str(BAD_THRESHOLDS)]
            return False
        return True


class ReserveRatesForm(Form):
    """The reserve for bad loans (PPAP) per class, in percent of the principal owed."""

    class Meta:
        csrf = False

    lancar = percent(_l("Current (lancar), in percent"))
    kurang_lancar = percent(_l("Substandard (kurang lancar), in percent"))
    diragukan = percent(_l("Doubtful (diragukan), in percent"))
    macet = percent(_l("Loss (macet), in percent"))


BAD_THRESHOLDS = _l("Each class needs more days late than the one before it.")
BAD_RESERVE_RATES = _l("Enter each rate as a percentage from 0 to 100.")


class CollectibilityForm(Form):
    """The arrears thresholds per instalment frequency and the PPAP rates per class."""

    monthly = FormField(ThresholdsForm, FREQUENCY_LABELS[Frequency.MONTHLY])
    weekly = FormField(ThresholdsForm, FREQUENCY_LABELS[Frequency.WEEKLY])
    daily = FormField(ThresholdsForm, FREQUENCY_LABELS[Frequency.DAILY])
    ppap = FormField(ReserveRatesForm, _l("Reserve for bad loans (PPAP)"))

    def fill_from(self, settings: LoanSettings) -> None:
        """Show the saved thresholds and reserve rates."""
        for frequency in Frequency:
            days = settings.arrears_days[frequency.value]
            self[frequency.value].process(None, data=dict(zip(GRADES, days, strict=True)))
        self.ppap.process(None, data=dict(settings.ppap_bp))

    def arrears_days(self) -> dict[str, list[int]]:
        """The thresholds per frequency, in days late."""
        return {f.value: [self[f.value][grade].data or 0 for grade in GRADES] for f in Frequency}

    def ppap_bp(self) -> dict[str, int]:
        """The reserve rates per class, in basis points."""
        return {grade.value: self.ppap[grade.value].data or 0 for grade in Collectibility}

    def refuse(self, code: str) -> None:
        """Show the operation's refusal next to the fields it concerns."""
        if code == "bad_thresholds":
            self.monthly.macet.errors = [str(BAD_THRESHOLDS)]
        elif code == "bad_reserve_rates":
            self.ppap.macet.errors = [str(BAD_RESERVE_RATES)]
        else:
            self.ppap.macet.errors = [str(LOAN_ERRORS.get(code, UNKNOWN_REFUSAL))]


class ApplicationForm(Form):
    product = SelectField(_l("Loan product"), choices=[], validate_choice=False)
    amount = rupiah_amount(_l("Amount to borrow, in rupiah"))
    instalments = whole_number(_l("Number of instalments"), 1, 1000)
    purpose = StringField(
        _l("What the loan is for"),
        validators=[DataRequired(message=REQUIRED), Length(max=300)],
        render_kw={"maxlength": 300},
    )
    guarantor = StringField(
        _l("Guarantor's name (if the product asks for one)"),
        validators=[Optional(), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    collateral = StringField(
        _l("Collateral (may be left empty)"),
        validators=[Optional(), Length(max=300)],
        render_kw={"maxlength": 300},
    )

    def offer(self, products: list[LoanProduct]) -> None:
        self.product.choices = choices_from((p.id, p.name) for p in products)

    def chosen_product(self, products: list[LoanProduct]) -> LoanProduct | None:
        return next((p for p in products if str(p.id) == self.product.data), None)


class NoteForm(Form):
    """A decision or a cancellation, with its optional note."""

    note = StringField(
        _l("Note (may be left empty)"),
        validators=[Optional(), Length(max=300)],
        render_kw={"maxlength": 300},
    )


class PayoutForm(Form):
    method = SelectField(
        _l("Paid out by"),
        choices=choices_from(PAYOUT_METHOD_LABELS),
    )
    key = HiddenField(validators=[valid_key])


def fresh_payout_form() -> PayoutForm:
    """A payout form with a new idempotency key: submitting it twice pays out once."""
    form = PayoutForm(formdata=None)
    form.key.data = str(uuid.uuid4())
    return form
