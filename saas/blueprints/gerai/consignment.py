"""Consignment (titip jual) pages: a unit's consignors, their goods brought in or taken back,
what they are owed, the settlement that pays them and their statement as a PDF."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.gerai.forms import (
    ConsignedGoodsForm,
    ConsignorForm,
    SettleForm,
    whole_number,
    with_new_key,
)
from saas.blueprints.gerai.views import GERAI_ERRORS, bp, refusal, unit_or_404
from saas.blueprints.reports.letterhead import statement_pdf
from saas.blueprints.reports.views import file_response
from saas.db import tenant_db
from saas.gerai import consignment, queries
from saas.gerai.consignment import ConsignedGoods, ConsignedLine, Settle
from saas.gerai.models import Consignor, MovementKind
from saas.gerai.rules import GeraiError
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.members.models import Member
from saas.microsite.models import BusinessUnit


@bp.route("/kelola/gerai/<int:unit_id>/titip-jual", methods=["GET", "POST"])
@tenant_view(Permission.OFFICER_AREA)
def consignors(unit_id: int) -> Response | str | tuple[str, int]:
    """The unit's consignors with what each is owed; the chair's side adds one."""
    unit = unit_or_404(unit_id)
    form = ConsignorForm()
    if form.is_submitted() and not current_user.can(Permission.MANAGE_GOODS):
        abort(403)
    if form.validate_on_submit():
        member = _member_named(form) if form.member.data else None
        if not form.member.errors:
            try:
                consignment.save_consignor(
                    tenant_db(),
                    unit.id,
                    None,
                    name=form.name.data or "",
                    member=member,
                    phone=form.phone.data or "",
                )
            except GeraiError as exc:
                tenant_db().rollback()
                form.name.errors = [refusal(exc)]
            else:
                tenant_db().commit()
                flash(_("Consignor added."), "success")
                return redirect(url_for("gerai.consignors", unit_id=unit.id))
    statements = [
        queries.consignor_statement(tenant_db(), consignor)
        for consignor in queries.list_consignors(tenant_db(), unit.id)
    ]
    page = render_template("gerai/consignors.html", unit=unit, form=form, statements=statements)
    return (page, 422) if form.is_submitted() else page


def _member_named(form: ConsignorForm) -> Member | None:
    """The member whose number the form gives; the field marked when there is none."""
    typed = form.member.data.strip()
    found = members.search_members(tenant_db(), typed, limit=10)
    exact = [m for m in found if typed in (m.number, m.number.lstrip("0"))]
    if not exact:
        form.member.errors = [_("No member has this number.")]
        return None
    return exact[0]


def consignor_or_404(unit: BusinessUnit, consignor_id: int) -> Consignor:
    consignor = queries.get_consignor_for_unit(tenant_db(), unit.id, consignor_id)
    if consignor is None:
        abort(404)
    return consignor


@bp.route("/kelola/gerai/<int:unit_id>/titip-jual/<int:consignor_id>")
@tenant_view(Permission.OFFICER_AREA)
def consignor(unit_id: int, consignor_id: int) -> str:
    """One consignor: their goods in stock, what sold and what they are owed, and the forms."""
    unit = unit_or_404(unit_id)
    found = consignor_or_404(unit, consignor_id)
    return render_consignor(unit, found)


def render_consignor(
    unit: BusinessUnit,
    found: Consignor,
    goods: ConsignedGoodsForm | None = None,
    settle: SettleForm | None = None,
) -> str:
    statement = queries.consignor_statement(tenant_db(), found)
    if goods is None:
        goods = with_new_key(ConsignedGoodsForm(formdata=None))
    if settle is None:
        settle = with_new_key(SettleForm(formdata=None))
    choices = [
        SelectChoice("", "—"),
        *(SelectChoice(str(p.id), f"{p.code} · {p.name}") for p in statement.products),
    ]
    for line in goods.lines:
        line.product.choices = choices
    return render_template(
        "gerai/consignor.html", unit=unit, statement=statement, goods=goods, settle=settle
    )


@bp.route("/kelola/gerai/<int:unit_id>/titip-jual/<int:consignor_id>/barang", methods=["POST"])
@tenant_view(Permission.MANAGE_GOODS)
def move_consigned(unit_id: int, consignor_id: int) -> Response | tuple[str, int]:
    """The consignor's goods brought in or their unsold goods taken back, once per form."""
    unit = unit_or_404(unit_id)
    found = consignor_or_404(unit, consignor_id)
    form = ConsignedGoodsForm()
    if form.validate_on_submit() and (lines := _consigned_lines(form)):
        goods = ConsignedGoods(
            unit_id=unit.id,
            consignor_id=found.id,
            kind=MovementKind(form.kind.data),
            moved_on=form.moved_on.data,
            lines=lines,
            idempotency_key=form.key.data,
        )
        try:
            consignment.move_goods(tenant_db(), goods)
        except GeraiError as exc:
            tenant_db().rollback()
            form.kind.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Consigned goods recorded."), "success")
            return redirect(url_for("gerai.consignor", unit_id=unit.id, consignor_id=found.id))
    return render_consignor(unit, found, goods=form), 422


def _consigned_lines(form: ConsignedGoodsForm) -> list[ConsignedLine]:
    """The lines naming a product, each with its quantity (errors marked on the form)."""
    lines = []
    for line in form.lines:
        entry = line.form
        if not entry.product.data:
            continue
        product_id = whole_number(entry.product.data)
        if product_id is None:
            entry.product.errors = [str(GERAI_ERRORS["unknown_product"])]
        elif not entry.quantity.data:
            entry.quantity.errors = [str(GERAI_ERRORS["bad_quantity"])]
        else:
            lines.append(ConsignedLine(product_id, entry.quantity.data))
    marked = any(line.form.product.errors or line.form.quantity.errors for line in form.lines)
    if not lines and not marked:
        form.kind.errors = [str(GERAI_ERRORS["no_lines"])]
    return [] if marked else lines


@bp.route("/kelola/gerai/<int:unit_id>/titip-jual/<int:consignor_id>/bayar", methods=["POST"])
@tenant_view(Permission.MANAGE_GOODS)
def settle(unit_id: int, consignor_id: int) -> Response | tuple[str, int]:
    """Pay the consignor what their goods sold up to the day earned, once."""
    unit = unit_or_404(unit_id)
    found = consignor_or_404(unit, consignor_id)
    form = SettleForm()
    if form.validate_on_submit():
        request = Settle(
            consignor_id=found.id,
            settled_on=form.settled_on.data,
            paid_from=form.paid_from.data,
            idempotency_key=form.key.data,
            user_id=current_user.id,
        )
        try:
            settlement, created = consignment.settle(tenant_db(), unit.id, request)
        except LedgerError as exc:
            tenant_db().rollback()
            form.settled_on.errors = [refusal(exc)]
        else:
            tenant_db().commit()
            if created:
                flash(_("Paid %(amount)s.", amount=rupiah_filter(settlement.amount)), "success")
            return redirect(url_for("gerai.consignor", unit_id=unit.id, consignor_id=found.id))
    return render_consignor(unit, found, settle=form), 422


@bp.route("/kelola/gerai/<int:unit_id>/titip-jual/<int:consignor_id>/laporan.pdf")
@tenant_view(Permission.OFFICER_AREA)
def consignor_statement_pdf(unit_id: int, consignor_id: int) -> Response:
    """The consignor's statement under the cooperative's letterhead."""
    unit = unit_or_404(unit_id)
    found = consignor_or_404(unit, consignor_id)
    statement = queries.consignor_statement(tenant_db(), found)
    title = _("Consignment statement of %(name)s", name=found.name)
    body = statement_pdf(
        "gerai/consignor_pdf.html",
        unit=unit,
        statement=statement,
        title=title,
        today=clock.today(),
    )
    return file_response(body, f"titip-jual-{found.id}.pdf")
