"""The chart of accounts for the treasurer: the tree with balances, and the changes it allows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.books.views import bp
from saas.blueprints.forms import REQUIRED, Form
from saas.blueprints.reports.views import account_name_filter
from saas.db import tenant_db
from saas.ledger import operations as ledger
from saas.ledger.models import Account, AccountKind
from saas.ledger.queries import chart_tree, find_in_chart, suggest_code
from saas.ledger.rules import TEMPLATE_BY_CODE, LedgerError, child_code_form

KIND_LABELS = {
    AccountKind.ASSET: _l("Asset"),
    AccountKind.LIABILITY: _l("Liability"),
    AccountKind.EQUITY: _l("Equity"),
    AccountKind.REVENUE: _l("Revenue"),
    AccountKind.EXPENSE: _l("Expense"),
}
CHART_MESSAGES = {
    "name_required": _l("Enter a name. Only the standard accounts have a name to go back to."),
    "code_taken": _l("Another account already has this code."),
    "parent_has_role": _l(
        "Guyub's own records (savings, loans, sales, the journal) post to this account, "
        "so it cannot hold sub-accounts."
    ),
    "parent_has_postings": _l(
        "This account already has postings, so it cannot hold sub-accounts. "
        "Add the new account next to it instead."
    ),
    "account_has_role": _l(
        "Guyub's own records (savings, loans, sales, the journal) post to this account, "
        "so it always stays."
    ),
    "account_has_children": _l("Delete its sub-accounts first."),
    "account_has_postings": _l(
        "This account has postings, so it cannot be deleted. "
        "Hide it from the posting forms instead."
    ),
    "header_not_postable": _l("A group of accounts takes no postings: there is nothing to hide."),
}


def chart_message(error: LedgerError, account: Account) -> str:
    if error.code == "code_form":
        prefix, width = child_code_form(account.code)
        return _(
            "The code of a sub-account here starts with %(prefix)s, like %(example)s.",
            prefix=prefix,
            example=suggest_code(tenant_db(), account) or f"{prefix}{1:0{width}d}",
        )
    return str(CHART_MESSAGES[error.code])


class RenameForm(Form):
    name = StringField(_l("Name"), validators=[Length(max=120)])


class SubAccountForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(message=REQUIRED), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=120)])


class HideForm(Form):
    hidden = HiddenField()  # what the button does: "1" hides the account, "0" shows it again


class RemoveForm(Form):
    """Nothing to fill in: the CSRF token alone."""


def account_or_404(account_id: int) -> Account:
    account = ledger.get_account_for_tenant(tenant_db(), account_id)
    if account is None:
        abort(404)
    return account


def account_page(
    account: Account,
    *,
    rename: RenameForm | None = None,
    sub: SubAccountForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The account with its place in the chart and the forms that change it."""
    path = find_in_chart(chart_tree(tenant_db()), account.id)
    postings = ledger.has_postings(tenant_db(), account)
    template = TEMPLATE_BY_CODE.get(account.code)
    if sub is None:
        sub = SubAccountForm(formdata=None, prefix="sub")
        sub.code.data = suggest_code(tenant_db(), account)
    return render_template(
        "books/account.html",
        account=account,
        node=path[-1],
        ancestors=path[:-1],
        template_name=template.name if template else None,
        has_postings=postings,
        code_prefix=child_code_form(account.code)[0],
        can_hold_children=account.is_header or not (account.role or postings),
        rename=rename or RenameForm(formdata=None, prefix="rename", name=account.name),
        sub=sub,
        hide=HideForm(formdata=None, hidden="1" if account.is_active else "0"),
        remove=RemoveForm(formdata=None),
        KIND_LABELS=KIND_LABELS,
        CHART_MESSAGES=CHART_MESSAGES,
    ), status


@bp.route("/akun")
@tenant_view(Permission.READ_BOOKS)
def chart() -> str:
    return render_template(
        "books/chart.html", tree=chart_tree(tenant_db()), KIND_LABELS=KIND_LABELS
    )


@bp.route("/akun/<int:account_id>")
@tenant_view(Permission.READ_BOOKS)
def account(account_id: int) -> tuple[str, int]:
    return account_page(account_or_404(account_id))


@bp.route("/akun/<int:account_id>/nama", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def rename_account(account_id: int) -> Response | tuple[str, int]:
    account = account_or_404(account_id)
    form = RenameForm(prefix="rename")
    if form.validate_on_submit():
        try:
            ledger.rename_account(tenant_db(), account, form.name.data or "")
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            form.name.errors = [chart_message(exc, account)]
        else:
            flash(
                _(
                    "Account %(code)s is now called %(name)s.",
                    code=account.code,
                    name=account_name_filter(account),
                ),
                "success",
            )
            return redirect(url_for("books.account", account_id=account.id))
    return account_page(account, rename=form, status=422)


@bp.route("/akun/<int:account_id>/sub-akun", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def add_account(account_id: int) -> Response | tuple[str, int]:
    parent = account_or_404(account_id)
    form = SubAccountForm(prefix="sub")
    if form.validate_on_submit():
        try:
            added = ledger.add_account(
                tenant_db(), parent=parent, code=form.code.data or "", name=form.name.data or ""
            )
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            field = form.name if exc.code == "name_required" else form.code
            field.errors = [chart_message(exc, parent)]
        else:
            flash(
                _("Account %(code)s %(name)s added.", code=added.code, name=added.name), "success"
            )
            return redirect(url_for("books.chart", _anchor=f"akun-{added.id}"))
    return account_page(parent, sub=form, status=422)


@bp.route("/akun/<int:account_id>/sembunyikan", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def hide_account(account_id: int) -> Response | tuple[str, int]:
    account = account_or_404(account_id)
    form = HideForm()
    if form.validate_on_submit():
        hidden = form.hidden.data == "1"
        try:
            ledger.hide_account(tenant_db(), account, hidden=hidden)
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            flash(chart_message(exc, account), "error")
            return account_page(account, status=422)
        if hidden:
            flash(
                _("Account %(code)s is hidden from the posting forms.", code=account.code),
                "success",
            )
        else:
            flash(_("Account %(code)s is back in the posting forms.", code=account.code), "success")
    return redirect(url_for("books.account", account_id=account.id))


@bp.route("/akun/<int:account_id>/hapus", methods=["POST"])
@tenant_view(Permission.KEEP_BOOKS)
def remove_account(account_id: int) -> Response | tuple[str, int]:
    account = account_or_404(account_id)
    if RemoveForm().validate_on_submit():
        code = account.code
        try:
            ledger.remove_account(tenant_db(), account)
            tenant_db().commit()
        except LedgerError as exc:
            tenant_db().rollback()
            flash(chart_message(exc, account), "error")
            return account_page(account, status=422)
        flash(_("Account %(code)s deleted.", code=code), "success")
        return redirect(url_for("books.chart"))
    return redirect(url_for("books.account", account_id=account.id))
