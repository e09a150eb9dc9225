"""Members' purchases on credit: who owes the shops what, and taking it back at the counter."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.gerai.forms import CollectCreditForm, with_new_key
from saas.blueprints.gerai.views import bp
from saas.db import tenant_db
from saas.gerai import credit
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.members import operations as members
from saas.savings.models import PaymentMethod


@bp.route("/kelola/gerai/piutang")
@tenant_view(Permission.SELL_GOODS)
def credit_owed() -> str:
    """The members who bought on credit and still owe, each with a form to pay back."""
    owed = credit.list_owed(tenant_db())
    forms = {
        row.member.id: with_new_key(CollectCreditForm(formdata=None, prefix=f"m{row.member.id}"))
        for row in owed
    }
    return render_template("gerai/credit.html", owed=owed, forms=forms)


@bp.route("/kelola/gerai/piutang/<int:member_id>", methods=["POST"])
@tenant_view(Permission.SELL_GOODS)
def collect_credit(member_id: int) -> Response | tuple[str, int]:
    """Take a member's payment of what they bought on credit."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    form = CollectCreditForm(prefix=f"m{member.id}")
    if form.validate_on_submit():
        try:
            credit.collect_credit(
                tenant_db(),
                member,
                amount=form.amount.data or 0,
                method=PaymentMethod(form.method.data),
                paid_on=clock.today(),
                idempotency_key=form.key.data,
                officer_id=current_user.id,
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.amount.errors = [_refusal(exc, credit.owed_by(tenant_db(), member.id))]
        else:
            tenant_db().commit()
            flash(_("Payment recorded."), "success")
            return redirect(url_for("gerai.credit_owed"))
    owed = credit.list_owed(tenant_db())
    forms = {
        row.member.id: with_new_key(CollectCreditForm(formdata=None, prefix=f"m{row.member.id}"))
        for row in owed
    }
    forms[member.id] = form
    return render_template("gerai/credit.html", owed=owed, forms=forms), 422


def _refusal(exc: LedgerError, owed: int) -> str:
    if exc.code == "member_overdrawn":
        return _("This member owes %(amount)s.", amount=rupiah_filter(owed))
    if exc.code == "period_closed":
        return _("The books of that month are closed. Use a date in an open month.")
    return _("This could not be recorded. Try again.")
