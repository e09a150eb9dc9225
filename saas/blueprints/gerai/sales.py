"""The sale screen of a unit's counter, and its receipts (nota) with their check page.

The cart rides along in the form as ``line`` inputs (``p.<product>.<quantity>`` or
``f.<rupiah>.<quantity>.<what>``), so the counter works without script: every button posts the
whole form, and the page comes back with the cart as it now stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import Scope, public, tenant_view
from saas.accounts.roles import Permission
from saas.blueprints import receipts
from saas.blueprints.gerai.forms import (
    SALE_METHOD_LABELS,
    ReverseSaleForm,
    SaleForm,
    whole_number,
    with_new_key,
)
from saas.blueprints.gerai.views import bp, refusal, unit_or_404
from saas.blueprints.links import external_url
from saas.blueprints.member_cards import member_id_from_card
from saas.db import tenant_db
from saas.gerai import queries, reversal
from saas.gerai import sales as selling
from saas.gerai.models import MAX_PRICE, MAX_QUANTITY, GeraiProduct, Sale, SaleMethod
from saas.gerai.reversal import TakeBack
from saas.gerai.rules import CartLine
from saas.gerai.sales import Checkout
from saas.i18n import rupiah_in_words
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.members.models import Member, MemberStatus
from saas.microsite.models import BusinessUnit
from saas.payments.qris import dynamic_payload
from saas.payments.queries import get_qris_setting
from saas.phones import whatsapp_number
from saas.qr import qr_svg

MAX_CART = 100  # lines in one sale


@dataclass(frozen=True)
class Shown:
    """A cart line as the page shows it."""

    line: CartLine
    name: str
    price: int  # rupiah per unit
    value: str  # the hidden input's value

    @property
    def amount(self) -> int:
        return self.line.quantity * self.price


def read_cart(unit: BusinessUnit) -> list[Shown]:
    """The cart the form carried; lines naming no product of this unit, or malformed, drop."""
    lines: list[CartLine] = []
    for value in request.form.getlist("line")[:MAX_CART]:
        kind, _dot, rest = value.partition(".")
        parts = rest.split(".", 2)
        numbers = [n for p in parts[:2] if (n := whole_number(p)) is not None]
        if kind == "p" and len(parts) == 2 and len(numbers) == 2:
            lines.append(CartLine(numbers[0], numbers[1]))
        elif kind == "f" and len(numbers) == 2:
            note = parts[2] if len(parts) == 3 else ""
            lines.append(CartLine(None, numbers[1], price=numbers[0], description=note))
    return show(unit, lines)


def show(unit: BusinessUnit, lines: list[CartLine]) -> list[Shown]:
    ids = {line.product_id for line in lines if line.product_id is not None}
    found = {p.id: p for p in queries.list_products(tenant_db(), unit.id) if p.id in ids}
    shown = []
    for line in lines:
        if not 0 < line.quantity <= MAX_QUANTITY:
            continue
        if line.product_id is None:
            if 0 < line.price <= MAX_PRICE:
                value = f"f.{line.price}.{line.quantity}.{line.description}"
                shown.append(Shown(line, line.description or _("Free amount"), line.price, value))
        elif (product := found.get(line.product_id)) is not None:
            value = f"p.{product.id}.{line.quantity}"
            shown.append(Shown(line, product.name, product.price, value))
    return shown


def find_buyer(typed: str) -> tuple[Member | None, list[Member]]:
    """The member the buyer field names (their card's QR code, their number, else the one name
    that matches), and the matches when the name fits several; (None, []) for the public."""
    typed = typed.strip()
    if not typed:
        return None, []
    if (member_id := member_id_from_card(typed)) is not None:
        carded = members.get_member_for_tenant(tenant_db(), member_id)
        if carded is not None and carded.status == MemberStatus.ACTIVE:
            return carded, []
    found = members.search_members(tenant_db(), typed, status=MemberStatus.ACTIVE, limit=10)
    exact = [m for m in found if m.number == typed or m.number == typed.zfill(4)]
    if exact:
        return exact[0], []
    if len(found) == 1:
        return found[0], []
    return None, found


@bp.route("/kelola/gerai/<int:unit_id>", methods=["GET", "POST"])
@tenant_view(Permission.SELL_GOODS)
def sell(unit_id: int) -> Response | str | tuple[str, int]:
    """The counter: add items by code, name or a free amount; name the buyer; take payment."""
    unit = unit_or_404(unit_id)
    if request.method == "GET":
        return render_counter(unit, with_new_key(SaleForm(formdata=None)), [])
    form = SaleForm()
    cart = read_cart(unit)
    action = request.form.get("action", "add")
    if not form.validate_on_submit():
        return render_counter(unit, form, cart), 422
    if action.startswith("remove-"):
        removed = whole_number(action.removeprefix("remove-"))
        cart = [line for i, line in enumerate(cart) if i != removed]
        return render_counter(unit, form, cart)
    if action == "pay":
        return checkout(unit, form, cart)
    return add_to_cart(unit, form, cart, action)


def add_to_cart(
    unit: BusinessUnit, form: SaleForm, cart: list[Shown], action: str
) -> str | tuple[str, int]:
    """Add what the form names: a product picked from the search, by its code, or a free amount."""
    quantity = form.quantity.data or 1
    matches: list[GeraiProduct] = []
    if (picked := whole_number(action.removeprefix("add-"))) is not None:
        added = [CartLine(picked, quantity)]
    elif code := (form.code.data or "").strip():
        product = queries.find_by_code(tenant_db(), unit.id, code)
        if product is None or not product.is_active:
            form.code.errors = [_("No product on sale here has the code %(code)s.", code=code)]
            return render_counter(unit, form, cart), 422
        added = [CartLine(product.id, quantity)]
    elif form.free_amount.data:
        added = [CartLine(None, quantity, form.free_amount.data, form.free_note.data or "")]
    elif words := (form.search.data or "").strip():
        matches = queries.search_products(tenant_db(), unit.id, words)
        if not matches:
            form.search.errors = [_("No product on sale here matches “%(words)s”.", words=words)]
            return render_counter(unit, form, cart), 422
        added = []
    else:
        added = []
    cart = [*cart, *show(unit, added)][:MAX_CART]
    form.code.data = form.search.data = form.free_note.data = ""
    form.free_amount.data = form.quantity.data = None
    # A card scanned into the buyer field sends the form at once: name the member it found.
    buyer, several = find_buyer(form.buyer.data or "")
    if buyer is not None:
        form.buyer.data = buyer.number
    return render_counter(unit, form, cart, matches=matches, buyer=buyer, buyers=several)


def checkout(
    unit: BusinessUnit, form: SaleForm, cart: list[Shown]
) -> Response | str | tuple[str, int]:
    """Record the sale (once per key) and open its receipt; a QRIS sale shows its code first."""
    buyer, several = find_buyer(form.buyer.data or "")
    method = SaleMethod(form.method.data)
    if several or (form.buyer.data and buyer is None):
        form.buyer.errors = [_("Choose the member from the list, or enter their number.")]
        return render_counter(unit, form, cart, buyers=several), 422
    if not cart:
        form.code.errors = [_("Add at least one item.")]
        return render_counter(unit, form, cart), 422
    total = sum(line.amount for line in cart)
    if method is SaleMethod.QRIS and request.form.get("qris_shown") != "1":
        qris = qris_code(total)
        if qris is None:
            form.method.errors = [_("The cooperative has no QRIS code yet. Choose another way.")]
            return render_counter(unit, form, cart), 422
        return render_counter(unit, form, cart, buyer=buyer, qris=qris)
    sale = Checkout(
        unit_id=unit.id,
        lines=[line.line for line in cart],
        member=buyer,
        method=method,
        sold_on=clock.today(),
        idempotency_key=form.key.data,
        officer_id=current_user.id,
        officer_name=current_user.name,
    )
    try:
        recorded, _created = selling.sell(tenant_db(), sale)
        tenant_db().commit()  # at once: the receipt counter is locked until then
    except LedgerError as exc:
        tenant_db().rollback()
        message = refusal(exc)
        if exc.code == "credit_to_public":
            form.method.errors = [message]
        elif exc.code == "member_left":
            form.buyer.errors = [message]
        else:
            form.code.errors = [message]
        return render_counter(unit, form, cart), 422
    return redirect(url_for("gerai.receipt", number=recorded.number))


def qris_code(total: int) -> dict[str, Any] | None:
    """The cooperative's QRIS code carrying the sale's exact amount; None without a code."""
    setting = get_qris_setting(tenant_db())
    if setting is None:
        return None
    payload = dynamic_payload(setting.payload, total, bill_number="GERAI")
    return {
        "payload": payload,
        "svg": qr_svg(payload, scale=4),
        "amount": total,
        "merchant_name": setting.merchant_name,
    }


def render_counter(unit: BusinessUnit, form: SaleForm, cart: list[Shown], **extra: Any) -> str:
    return render_template(
        "gerai/sell.html",
        unit=unit,
        form=form,
        cart=cart,
        total=sum(line.amount for line in cart),
        **{"matches": [], "buyers": [], "buyer": None, "qris": None, **extra},
    )


# -- receipts ------------------------------------------------------------------------------------


def sale_or_404(number: str) -> Sale:
    found = queries.get_sale_by_number(tenant_db(), number)
    if found is None:
        abort(404)
    return found


def receipt_context(sale: Sale) -> dict[str, Any]:
    member = members.get_member_for_tenant(tenant_db(), sale.member_id) if sale.member_id else None
    unit = unit_or_404(sale.unit_id)
    check_url = external_url(g.tenant, "gerai.check_receipt", token=sale.token)
    text = _("Receipt %(number)s: %(url)s", number=sale.number, url=check_url)
    phone = whatsapp_number(member.phone) if member is not None and member.phone else ""
    return {
        "receipt_rows": "gerai/_receipt_rows.html",
        "receipt": sale,
        "unit": unit,
        "member": member,
        "in_words": rupiah_in_words(sale.total),
        "check_url": check_url,
        "qr": qr_svg(check_url),
        "share_link": f"https://wa.me/{phone}?text=" + quote(text),
        "SALE_METHOD_LABELS": SALE_METHOD_LABELS,
    }


def receipt_page(sale: Sale, reversal_form: ReverseSaleForm | None = None) -> str:
    return render_template(
        "gerai/receipt.html",
        reversal_form=reversal_form or with_new_key(ReverseSaleForm(formdata=None)),
        may_reverse=sale.reversal is None and current_user.can(Permission.KEEP_BOOKS),
        **receipt_context(sale),
    )


@bp.route("/kelola/gerai/nota/<number>")
@tenant_view(Permission.SELL_GOODS)
def receipt(number: str) -> str:
    """A sale's receipt, to print or send by WhatsApp, and for the treasurer to reverse."""
    return receipt_page(sale_or_404(number))


@bp.route("/kelola/gerai/nota/<number>/batal", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def reverse_sale(number: str) -> Response | tuple[str, int]:
    """Reverse a sale: its entry reversed, its goods back in stock, once."""
    sale = sale_or_404(number)
    form = ReverseSaleForm()
    if form.validate_on_submit():
        take_back = TakeBack(
            reason=form.reason.data or "",
            reversed_on=clock.today(),
            idempotency_key=form.key.data,
            officer_id=current_user.id,
            officer_name=current_user.name,
        )
        try:
            reversal.reverse_sale(tenant_db(), sale, take_back)
        except LedgerError as exc:
            tenant_db().rollback()
            form.reason.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Sale %(number)s is reversed.", number=number), "success")
            return redirect(url_for("gerai.receipt", number=number))
    return receipt_page(sale_or_404(number), form), 422


@bp.route("/kelola/gerai/nota/<number>.pdf")
@tenant_view(Permission.SELL_GOODS)
def receipt_pdf(number: str) -> Response:
    """The receipt on one A6 page, or on a 58 mm roll (``?kertas=58mm``)."""
    return receipts.pdf_response(number, receipt_context(sale_or_404(number)))


@bp.route("/nota/<token>")
@public(Scope.TENANT)
def check_receipt(token: str) -> str | tuple[str, int]:
    """Anyone holding a sale's receipt checks it through its QR code: number, date, total and
    the cooperative. A number alone shows nothing."""
    g.private_page = True
    found = queries.find_sale_by_token(tenant_db(), token)
    if found is None:
        return render_template("site/receipt_unknown.html"), 404
    return render_template("gerai/receipt_check.html", sale=found)
