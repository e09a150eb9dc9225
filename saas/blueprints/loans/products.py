"""Loan products and the cooperative's approval rule (the chair and the treasurer)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.loans.forms import ProductForm, SettingsForm
from saas.blueprints.loans.labels import (
    FREQUENCY_LABELS,
    INTEREST_METHOD_HELP,
    INTEREST_METHOD_LABELS,
    LOAN_ERRORS,
    UNKNOWN_REFUSAL,
)
from saas.blueprints.loans.views import bp
from saas.db import tenant_db
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans.models import LoanProduct


def product_or_404(product_id: int) -> LoanProduct:
    product = tenant_db().get(LoanProduct, product_id)
    if product is None:
        abort(404)
    return product


@bp.route("/produk")
@tenant_view(Permission.MANAGE_LOANS)
def products() -> str:
    return render_template(
        "loans/products.html",
        products=loans.list_products(tenant_db()),
        INTEREST_METHOD_LABELS=INTEREST_METHOD_LABELS,
        FREQUENCY_LABELS=FREQUENCY_LABELS,
    )


@bp.route("/produk/baru", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_LOANS)
def new_product() -> Response | str | tuple[str, int]:
    return _product_page(None)


@bp.route("/produk/<int:product_id>", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_LOANS)
def edit_product(product_id: int) -> Response | str | tuple[str, int]:
    """Change a product; loans already applied for keep their own terms."""
    return _product_page(product_or_404(product_id))


def _product_page(product: LoanProduct | None) -> Response | str | tuple[str, int]:
    form = ProductForm()
    if request.method == "GET" and product is not None:
        form.fill_from(product)
    if form.validate_on_submit():
        try:
            saved = loans.save_product(tenant_db(), product, form.terms())
        except LedgerError as exc:
            tenant_db().rollback()
            field = form.name if exc.code == "product_name_taken" else form.max_amount
            field.errors = [str(LOAN_ERRORS.get(exc.code, UNKNOWN_REFUSAL))]
        else:
            tenant_db().commit()
            flash(_("Product %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("loans.products"))
    page = render_template(
        "loans/product.html", form=form, product=product, METHOD_HELP=INTEREST_METHOD_HELP
    )
    return (page, 422) if request.method == "POST" else page


@bp.route("/pengaturan", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_LOANS)
def settings() -> Response | str | tuple[str, int]:
    """Which roles approve loans and how many approvals a loan needs."""
    current = loans.get_settings(tenant_db())
    form = SettingsForm()
    if request.method == "GET":
        form.approver_roles.data = list(current.approver_roles)
        form.approvals_required.data = current.approvals_required
    if form.validate_on_submit():
        try:
            loans.save_settings(
                tenant_db(),
                approver_roles=list(form.approver_roles.data or []),
                approvals_required=form.approvals_required.data or 0,
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.approver_roles.errors = [str(LOAN_ERRORS.get(exc.code, UNKNOWN_REFUSAL))]
        else:
            tenant_db().commit()
            flash(_("Who approves loans is saved."), "success")
            return redirect(url_for("loans.settings"))
    page = render_template("loans/settings.html", form=form)
    return (page, 422) if request.method == "POST" else page
