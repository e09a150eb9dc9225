"""A business unit's shop: its products and prices, goods received, stock counts and the
day's closing; the area's blueprint, which the sale screen (``sales``) shares."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import choices_from
from saas.blueprints.gerai.forms import (
    CloseDayForm,
    CountForm,
    DeliveryForm,
    ProductForm,
    SettingsForm,
    whole_number,
    with_new_key,
)
from saas.blueprints.summary import refresh_summary_after_change
from saas.db import tenant_db
from saas.gerai import operations, queries
from saas.gerai import sales as selling
from saas.gerai.models import GeraiProduct, SupplierPayment
from saas.gerai.operations import Count, Delivery, ProductDetails, ReceivedLine
from saas.gerai.rules import GeraiError
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.microsite.models import BusinessUnit

bp = Blueprint("gerai", __name__)

GERAI_ERRORS = {
    "code_taken": _l("Another product of this unit has this code."),
    "unknown_product": _l("Choose a product of this unit."),
    "no_lines": _l("Add at least one item."),
    "bad_quantity": _l("Enter a quantity from 1 up to 100.000."),
    "bad_price": _l("Enter an amount from Rp1 up to Rp1.000.000.000."),
    "credit_to_public": _l("Only members may buy on credit. Name the member, or take payment."),
    "member_left": _l("This member has left; sell to them as the public."),
    "inactive_product": _l("This product is not on sale."),
    "day_closed": _l("This day is closed already."),
    "too_large": _l("This comes to more than Rp1.000.000.000.000. Split it up."),
    "retry_pending": _l("This is still being recorded. Open the page again in a moment."),
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
    "missing_account": _l("The chart of accounts lacks an account this needs. Ask the treasurer."),
    "fee_above_price": _l("The fee cannot be more than the selling price."),
    "fee_without_consignor": _l("A fee is only for consigned goods: choose the consignor."),
    "unknown_consignor": _l("Choose a consignor of this unit."),
    "consigned_product": _l("Consigned goods are brought by their consignor, not bought."),
    "not_theirs": _l("Choose products this consignor brought."),
    "nothing_to_settle": _l("Nothing of theirs sold up to that day is left to pay."),
    "consignor_unnamed": _l("Enter the member number or the consignor's name."),
    "sale_reversed": _l("This sale is reversed already."),
    "consignment_settled": _l(
        "A consigned item of this sale is paid to its consignor already, so the sale stands."
    ),
}
FEE_ERRORS = frozenset({"fee_above_price", "fee_without_consignor", "unknown_consignor"})


def refusal(exc: LedgerError) -> str:
    """The message for a refused sale or stock change, in the reader's language."""
    if exc.code == "out_of_stock":
        return _(
            "Only %(on_hand)s of %(name)s in stock.",
            on_hand=exc.details["on_hand"],
            name=exc.details["name"],
        )
    if exc.code == "credit_paid_back":
        return _(
            "The member owes only %(owed)s of this credit now: they paid part of it back, "
            "so the sale stands.",
            owed=rupiah_filter(int(str(exc.details["owed"]))),
        )
    return str(GERAI_ERRORS.get(exc.code, _l("This could not be recorded. Try again.")))


def unit_or_404(unit_id: int) -> BusinessUnit:
    unit = queries.get_selling_unit_for_tenant(tenant_db(), unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.route("/kelola/gerai")
@tenant_view(Permission.OFFICER_AREA)
def index() -> str:
    """The units that sell goods, each leading to its counter and its stock."""
    return render_template("gerai/index.html", units=queries.list_selling_units(tenant_db()))


@bp.route("/kelola/gerai/<int:unit_id>/produk")
@tenant_view(Permission.OFFICER_AREA)
def products(unit_id: int) -> str:
    """The unit's products with their stock on hand and its value; the low-stock list first."""
    unit = unit_or_404(unit_id)
    found = queries.list_products(tenant_db(), unit.id)
    settings = SettingsForm(
        formdata=None,
        allow_negative_stock=operations.get_settings(tenant_db(), unit.id).allow_negative_stock,
    )
    return render_template(
        "gerai/products.html",
        unit=unit,
        products=found,
        low=queries.low_stock(found),
        value=sum(p.stock_value for p in found),
        settings=settings,
    )


@bp.route("/kelola/gerai/<int:unit_id>/produk/baru", methods=["GET", "POST"])
@bp.route("/kelola/gerai/<int:unit_id>/produk/<int:product_id>", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_GOODS)
def edit_product(unit_id: int, product_id: int | None = None) -> Response | str | tuple[str, int]:
    """Add a product to the unit or change its name, code and prices."""
    unit = unit_or_404(unit_id)
    product = _product_or_404(unit, product_id) if product_id else None
    form = ProductForm(obj=product)
    consignors = queries.list_consignors(tenant_db(), unit.id)
    form.consignor.choices = [
        SelectChoice("", "—"),
        *(SelectChoice(str(c.id), c.name) for c in consignors),
    ]
    if product is not None and not form.is_submitted():
        form.consignor.data = str(product.consignor_id or "")
        form.fee.data = product.consignment_fee or None
    if form.validate_on_submit():
        try:
            details = _product_details(form, product, {c.id for c in consignors})
            operations.save_product(tenant_db(), unit.id, product, details)
        except GeraiError as exc:
            tenant_db().rollback()
            target = form.fee if exc.code in FEE_ERRORS else form.code
            target.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Product saved."), "success")
            # The public catalogue shows its products: its kept pages follow at once.
            return refresh_summary_after_change(
                redirect(url_for("gerai.products", unit_id=unit.id))
            )
    page = render_template("gerai/product.html", unit=unit, product=product, form=form)
    return (page, 422) if form.errors else page


def _product_details(
    form: ProductForm, product: GeraiProduct | None, consignor_ids: set[int]
) -> ProductDetails:
    """The product as the form gives it; a product's consignor is set once, when it is added
    (raises GeraiError for a fee that does not fit)."""
    if product is not None:
        consignor_id = product.consignor_id
    elif form.consignor.data:
        consignor_id = whole_number(form.consignor.data)
        if consignor_id not in consignor_ids:
            raise GeraiError("unknown_consignor")
    else:
        consignor_id = None
    price = form.price.data or 0
    fee = form.fee.data
    if fee is None:
        fee = round(price * (form.fee_percent.data or 0) / 100)
    return ProductDetails(
        code=form.code.data.strip(),
        name=form.name.data.strip(),
        measure=form.measure.data.strip(),
        price=price,
        cost=0 if consignor_id else form.cost.data or 0,
        low_stock=form.low_stock.data or 0,
        is_public=form.is_public.data,
        is_active=form.is_active.data,
        consignor_id=consignor_id,
        consignment_fee=fee,
    )


def _product_or_404(unit: BusinessUnit, product_id: int) -> GeraiProduct:
    product = queries.get_product_for_unit(tenant_db(), unit.id, product_id)
    if product is None:
        abort(404)
    return product


@bp.route("/kelola/gerai/<int:unit_id>/pengaturan", methods=["POST"])
@tenant_view(Permission.MANAGE_GOODS)
def save_settings(unit_id: int) -> Response:
    unit = unit_or_404(unit_id)
    form = SettingsForm()
    if form.validate_on_submit():
        operations.save_settings(
            tenant_db(), unit.id, allow_negative_stock=form.allow_negative_stock.data
        )
        tenant_db().commit()
        flash(_("Settings saved."), "success")
    return redirect(url_for("gerai.products", unit_id=unit.id))


def _product_choices(unit: BusinessUnit) -> list[SelectChoice]:
    found = queries.list_products(tenant_db(), unit.id)
    return choices_from([("", "—"), *((p.id, f"{p.code} · {p.name}") for p in found)])


@bp.route("/kelola/gerai/<int:unit_id>/terima", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_GOODS)
def receive(unit_id: int) -> Response | str | tuple[str, int]:
    """Goods received from a supplier: stock up at moving-average cost, posted once."""
    unit = unit_or_404(unit_id)
    form = DeliveryForm()
    if not form.is_submitted():
        form = with_new_key(DeliveryForm(formdata=None))
    choices = _product_choices(unit)
    for line in form.lines:
        line.product.choices = choices
    if form.validate_on_submit() and (lines := _received_lines(form)):
        delivery = Delivery(
            unit_id=unit.id,
            supplier=form.supplier.data.strip(),
            received_on=form.received_on.data,
            payment=SupplierPayment(form.payment.data),
            lines=lines,
            idempotency_key=form.key.data,
            user_id=current_user.id,
        )
        try:
            operations.receive_goods(tenant_db(), delivery)
        except LedgerError as exc:
            tenant_db().rollback()
            form.supplier.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Goods received."), "success")
            return redirect(url_for("gerai.products", unit_id=unit.id))
    page = render_template("gerai/receive.html", unit=unit, form=form)
    return (page, 422) if form.is_submitted() else page


def _received_lines(form: DeliveryForm) -> list[ReceivedLine]:
    """The lines with a product; each needs its quantity and cost (errors marked on the form)."""
    lines = []
    for line in form.lines:
        entry = line.form
        if not entry.product.data:
            continue
        if (product_id := whole_number(entry.product.data)) is None:
            entry.product.errors = [str(GERAI_ERRORS["unknown_product"])]
        if not entry.quantity.data:
            entry.quantity.errors = [str(GERAI_ERRORS["bad_quantity"])]
        if not entry.unit_cost.data:
            entry.unit_cost.errors = [str(GERAI_ERRORS["bad_price"])]
        if product_id is not None and entry.quantity.data and entry.unit_cost.data:
            lines.append(ReceivedLine(product_id, entry.quantity.data, entry.unit_cost.data))
    if not lines and not form.errors:
        form.supplier.errors = [str(GERAI_ERRORS["no_lines"])]
    marked = any(
        line.form.product.errors or line.form.quantity.errors or line.form.unit_cost.errors
        for line in form.lines
    )
    return [] if marked else lines


@bp.route("/kelola/gerai/<int:unit_id>/opname", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_GOODS)
def count(unit_id: int) -> Response | str | tuple[str, int]:
    """A stock count: what is on the shelves against the books, the difference posted once."""
    unit = unit_or_404(unit_id)
    found = queries.list_products(tenant_db(), unit.id)
    form = CountForm()
    if not form.is_submitted():
        form = with_new_key(CountForm(formdata=None))
        for product in found:
            form.lines.append_entry({"product": str(product.id)})
    if form.validate_on_submit():
        counted = {
            product_id: line.form.counted.data
            for line in form.lines
            if line.form.counted.data is not None
            and (product_id := whole_number(line.form.product.data)) is not None
        }
        try:
            operations.count_stock(
                tenant_db(),
                Count(
                    unit_id=unit.id,
                    counted_on=form.counted_on.data,
                    counted=counted,
                    against_role=form.against.data,
                    idempotency_key=form.key.data,
                    user_id=current_user.id,
                ),
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.counted_on.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Stock count recorded."), "success")
            return redirect(url_for("gerai.products", unit_id=unit.id))
    by_id = {str(p.id): p for p in found}
    page = render_template("gerai/count.html", unit=unit, form=form, by_id=by_id)
    return (page, 422) if form.is_submitted() else page


@bp.route("/kelola/gerai/<int:unit_id>/tutup-hari", methods=["GET", "POST"])
@tenant_view(Permission.SELL_GOODS)
def close_day(unit_id: int) -> Response | str | tuple[str, int]:
    """Today's closing: the cash counted against the day's cash sales, once."""
    unit = unit_or_404(unit_id)
    today = clock.today()
    form = CloseDayForm()
    if not form.is_submitted():
        form = with_new_key(CloseDayForm(formdata=None))
    if form.validate_on_submit():
        try:
            selling.close_day(
                tenant_db(),
                unit.id,
                today,
                counted=form.counted.data or 0,
                idempotency_key=form.key.data,
                user_id=current_user.id,
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.counted.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("The day is closed."), "success")
            return redirect(url_for("gerai.close_day", unit_id=unit.id))
    page = render_template(
        "gerai/close_day.html",
        unit=unit,
        form=form,
        today=today,
        expected=selling.expected_cash(tenant_db(), unit.id, today),
        sales=queries.sales_of_day(tenant_db(), unit.id, today),
        closing=queries.get_closing(tenant_db(), unit.id, today),
    )
    return (page, 422) if form.is_submitted() else page
