"""Restructuring a loan from its page: new terms for what it still owes, previewed before they
are confirmed."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.blueprints.loans.panels import RESTRUCTURE_PERMISSION
from saas.blueprints.loans.repayment_forms import RestructureForm, refusal_message
from saas.blueprints.loans.views import bp, loan_or_404, loan_page
from saas.db import tenant_db
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans.models import Loan
from saas.loans.restructuring import restructure as restructure_loan
from saas.loans.schedule import Instalment


def _restructured(loan: Loan, form: RestructureForm) -> list[Instalment]:
    """Restructure the loan as the form says and read its new schedule (raises LoanError)."""
    restructure_loan(
        tenant_db(),
        loan,
        instalments=int(form.instalments.data or 0),
        rate_bp=form.rate.data,
        on=clock.today(),
        reason=form.reason.data or "",
        user_id=current_user.id,
    )
    return [
        Instalment(row.number, row.due_date, row.principal, row.interest)
        for row in loans.schedule(tenant_db(), loan)
    ]


@bp.route("/<int:loan_id>/restrukturisasi", methods=["POST"])
@tenant_view(RESTRUCTURE_PERMISSION)
def restructure(loan_id: int) -> Response | tuple[str, int]:
    """Preview the new schedule (nothing kept), or confirm it."""
    loan = loan_or_404(loan_id)
    form = RestructureForm(prefix="restruktur")
    confirm = request.form.get("aksi") == "simpan"
    if form.validate_on_submit():
        session = tenant_db()
        try:
            preview = _restructured(loan, form)
        except LedgerError as exc:
            session.rollback()
            field = {"rate_out_of_range": form.rate, "reason_required": form.reason}
            field.get(exc.code, form.instalments).errors = [refusal_message(exc)]
        else:
            if not confirm:
                # The preview is the operation itself, rolled back: the same rules and figures.
                session.rollback()
                return loan_page(loan_or_404(loan_id), restructure=form, preview=preview), 200
            session.commit()
            flash(_("The loan is restructured. Its new schedule is below."), "success")
            return redirect(url_for("loans.show", loan_id=loan_id))
    return loan_page(loan_or_404(loan_id), restructure=form), 422
