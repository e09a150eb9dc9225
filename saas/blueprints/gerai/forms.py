"""The gerai's forms: products, goods received, the sale screen, stock counts, the day's close."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from saas import clock
from saas.blueprints.forms import (
    REQUIRED,
    Form,
    choices_from,
    not_in_future,
    optional_rupiah_amount,
    rupiah_amount,
    valid_key,
)
from saas.blueprints.labels import METHOD_LABELS
from saas.gerai.models import MAX_QUANTITY, MovementKind, SaleMethod, SupplierPayment

QUANTITY_RANGE = _l("Enter a quantity from 1 up to 100.000.")
NUMBERS = {"inputmode": "numeric", "autocomplete": "off"}

SALE_METHOD_LABELS = {
    SaleMethod.CASH: _l("Cash"),
    SaleMethod.QRIS: _l("QRIS"),
    SaleMethod.TRANSFER: _l("Bank transfer"),
    SaleMethod.CREDIT: _l("On credit (members only)"),
}
SUPPLIER_PAYMENT_LABELS = {
    SupplierPayment.CASH: _l("Paid in cash"),
    SupplierPayment.BANK: _l("Paid from the bank"),
    SupplierPayment.PAYABLE: _l("Owed to the supplier"),
}
CONSIGNED_KIND_LABELS = {
    MovementKind.CONSIGNED: _l("Goods brought in"),
    MovementKind.RETURNED: _l("Unsold goods taken back"),
}
SETTLE_FROM_LABELS = {"cash": _l("Paid in cash"), "bank": _l("Paid from the bank")}
FEE_PERCENT = _l("Enter a percent from 0 up to 100.")
COUNT_AGAINST_LABELS = {
    "cogs": _l("Cost of goods sold"),
    "other_expense": _l("Other expenses"),
}


def quantity(label: Any, *, required: bool = True) -> IntegerField:
    first = InputRequired(message=QUANTITY_RANGE) if required else Optional()
    return IntegerField(
        label,
        validators=[first, NumberRange(min=1, max=MAX_QUANTITY, message=QUANTITY_RANGE)],
        render_kw=NUMBERS,
    )


class ProductForm(Form):
    code = StringField(
        _l("Barcode or code"),
        validators=[DataRequired(message=REQUIRED), Length(max=40)],
        render_kw={"maxlength": 40, "inputmode": "numeric", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    measure = StringField(
        _l("Unit of measure (pcs, kg, sack…)"),
        validators=[DataRequired(message=REQUIRED), Length(max=20)],
        render_kw={"maxlength": 20},
    )
    price = rupiah_amount(_l("Selling price in rupiah"))
    cost = optional_rupiah_amount(_l("Cost in rupiah (until goods are received)"))
    low_stock = IntegerField(
        _l("Warn when the stock falls to"),
        validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY, message=QUANTITY_RANGE)],
        render_kw=NUMBERS,
    )
    is_public = BooleanField(_l("Show in the public catalogue"))
    is_active = BooleanField(_l("On sale"), default=True)
    consignor = SelectField(
        _l("Consigned by (titip jual)"), coerce=str, validate_choice=False, default=""
    )
    fee = optional_rupiah_amount(_l("The cooperative's fee on one item sold, in rupiah"))
    fee_percent = IntegerField(
        _l("Or the fee as a percent of the price"),
        validators=[Optional(), NumberRange(min=0, max=100, message=FEE_PERCENT)],
        render_kw=NUMBERS,
    )


class SettingsForm(Form):
    allow_negative_stock = BooleanField(_l("Sell goods before they are recorded as received"))


class ReceivedLineForm(Form):
    class Meta:
        csrf = False  # one line of the delivery form, which carries the token

    product = SelectField(_l("Product"), coerce=str, validate_choice=False)
    quantity = quantity(_l("Quantity"), required=False)
    unit_cost = optional_rupiah_amount(_l("Cost of one, in rupiah"))


class DeliveryForm(Form):
    supplier = StringField(
        _l("Supplier"),
        validators=[DataRequired(message=REQUIRED), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    received_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    payment = SelectField(
        _l("Payment"),
        choices=choices_from(SUPPLIER_PAYMENT_LABELS),
    )
    lines = FieldList(FormField(ReceivedLineForm), min_entries=5, max_entries=20)
    key = HiddenField(validators=[valid_key])


class SaleForm(Form):
    """The counter's one form: the cart rides along in ``line`` hidden inputs, so the page
    works without script; each button says what to do (``action``)."""

    code = StringField(
        _l("Barcode or code"),
        validators=[Optional(), Length(max=40)],
        render_kw={
            "inputmode": "numeric",
            "autofocus": True,
            "autocomplete": "off",
            "enterkeyhint": "enter",
            "maxlength": 40,
            "data-scan": "ean_13 ean_8 upc_a upc_e code_128 code_39 itf",  # product barcodes
        },
    )
    search = StringField(
        _l("Or search by name"),
        validators=[Optional(), Length(max=60)],
        render_kw={"type": "search", "maxlength": 60, "autocomplete": "off"},
    )
    quantity = quantity(_l("Quantity"), required=False)
    free_amount = optional_rupiah_amount(_l("Or a free amount in rupiah"))
    free_note = StringField(
        _l("What the free amount is for"),
        validators=[Optional(), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    buyer = StringField(
        _l("Buyer: member number or name (empty for the public)"),
        validators=[Optional(), Length(max=100)],
        render_kw={"maxlength": 100, "autocomplete": "off", "data-scan": "qr_code"},  # the card
    )
    method = SelectField(_l("Paid by"), choices=choices_from(SALE_METHOD_LABELS))
    key = HiddenField(validators=[valid_key])


class CountLineForm(Form):
    class Meta:
        csrf = False

    product = HiddenField()
    counted = IntegerField(
        validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY, message=QUANTITY_RANGE)],
        render_kw=NUMBERS,
    )


class CountForm(Form):
    counted_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    against = SelectField(
        _l("Post the difference to"),
        choices=choices_from(COUNT_AGAINST_LABELS),
    )
    lines = FieldList(FormField(CountLineForm), max_entries=2000)
    key = HiddenField(validators=[valid_key])


class CloseDayForm(Form):
    counted = optional_rupiah_amount(_l("Cash counted in the till, in rupiah"))
    key = HiddenField(validators=[valid_key])


def whole_number(text: object) -> int | None:
    """An id or a count as a button or a hidden input carries it: ASCII digits that fit a
    BIGINT (``"²"`` is a digit to Python, not a number); None for anything else."""
    value = str(text or "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def with_new_key(form: Any) -> Any:
    """The form carrying a new idempotency key and today's date where it has one."""
    form.key.data = str(uuid.uuid4())
    for name in ("received_on", "counted_on", "moved_on", "settled_on"):
        if hasattr(form, name):
            getattr(form, name).data = clock.today()
    return form


class ReverseSaleForm(Form):
    reason = StringField(
        _l("Why is this sale reversed?"),
        validators=[DataRequired(message=_l("Write the reason.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    key = HiddenField(validators=[valid_key])


class CollectCreditForm(Form):
    amount = rupiah_amount(_l("Amount paid back, in rupiah"))
    method = SelectField(_l("Paid by"), choices=choices_from(METHOD_LABELS))
    key = HiddenField(validators=[valid_key])


class ConsignorForm(Form):
    member = StringField(
        _l("Member number (empty for someone who is not a member)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"maxlength": 20, "inputmode": "numeric", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name, for someone who is not a member"),
        validators=[Optional(), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    phone = StringField(
        _l("WhatsApp number"),
        validators=[Optional(), Length(max=20)],
        render_kw={"maxlength": 20, "inputmode": "tel"},
    )


class ConsignedLineForm(Form):
    class Meta:
        csrf = False  # one line of the consignment form, which carries the token

    product = SelectField(_l("Product"), coerce=str, validate_choice=False)
    quantity = quantity(_l("Quantity"), required=False)


class ConsignedGoodsForm(Form):
    kind = SelectField(
        _l("What happens"),
        choices=choices_from(CONSIGNED_KIND_LABELS),
    )
    moved_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Enter the date.")), not_in_future]
    )
    lines = FieldList(FormField(ConsignedLineForm), min_entries=3, max_entries=20)
    key = HiddenField(validators=[valid_key])


class SettleForm(Form):
    settled_on = DateField(
        _l("Pay for goods sold up to"),
        validators=[DataRequired(message=_l("Enter the date.")), not_in_future],
    )
    paid_from = SelectField(_l("Payment"), choices=choices_from(SETTLE_FROM_LABELS))
    key = HiddenField(validators=[valid_key])
