"""The officers' loan pages: the list, applying for a member, a loan with its decisions,
cancelling, paying out, the agreement (akad) to sign, and where it stands as it is paid back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission, role_label
from saas.blueprints import MAX_ID
from saas.blueprints.loans import application
from saas.blueprints.loans.forms import (
    ApplicationForm,
    NoteForm,
    PayoutForm,
    fresh_payout_form,
)
from saas.blueprints.loans.labels import (
    FREQUENCY_LABELS,
    GROUP_LABELS,
    INTEREST_METHOD_LABELS,
    LOAN_ERRORS,
    PAYOFF_LABELS,
    PAYOUT_METHOD_LABELS,
    REPAYMENT_METHOD_LABELS,
    STATUS_LABELS,
    UNKNOWN_REFUSAL,
)
from saas.blueprints.loans.panels import repayment_panels
from saas.blueprints.reports.letterhead import current_letterhead
from saas.db import tenant_db
from saas.i18n import rupiah_in_words
from saas.ledger.rules import LedgerError
from saas.loans import operations as loans
from saas.loans import queries
from saas.loans.models import Loan, LoanProduct, LoanStatus
from saas.members import operations as members
from saas.members.models import Member, MemberStatus
from saas.members.rules import mask_nik
from saas.pdf import render_pdf
from saas.savings.models import PaymentMethod

bp = Blueprint("loans", __name__, url_prefix="/kelola/pinjaman")

LABELS = {
    "STATUS_LABELS": STATUS_LABELS,
    "INTEREST_METHOD_LABELS": INTEREST_METHOD_LABELS,
    "FREQUENCY_LABELS": FREQUENCY_LABELS,
    "PAYOFF_LABELS": PAYOFF_LABELS,
    "PAYOUT_METHOD_LABELS": PAYOUT_METHOD_LABELS,
    "REPAYMENT_METHOD_LABELS": REPAYMENT_METHOD_LABELS,
}


@bp.app_template_filter("percent")
def percent_filter(basis_points: int) -> str:
    """``1.800`` basis points as the page's language writes 18 percent (``1,5%``)."""
    return format_decimal(Decimal(basis_points) / 100, format="#,##0.##") + "%"


@bp.app_template_global("loans_of_member")
def loans_of_member(member_id: int) -> list[Loan]:
    """A member's loans, newest first, for the officers' page of the member."""
    return loans.loans_of(tenant_db(), member_id)


@bp.app_template_global("loan_status_label")
def loan_status_label(status: LoanStatus) -> str:
    return str(STATUS_LABELS[status])


def loan_or_404(loan_id: int) -> Loan:
    loan = loans.get_loan(tenant_db(), loan_id)
    if loan is None:
        abort(404)
    return loan


@bp.route("")
@tenant_view(Permission.OFFICER_AREA)
def index() -> str:
    """Every loan, newest first, filtered by where it stands and searched by name or number."""
    try:
        group: queries.StatusGroup | None = queries.StatusGroup(request.args.get("status", ""))
    except ValueError:
        group = None
    text = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("halaman", 1, type=int) or 1, 1)
    rows, more = queries.list_loans(tenant_db(), group=group, text=text, page=page)
    return render_template(
        "loans/index.html",
        rows=rows,
        more=more,
        page=page,
        group=group,
        text=text,
        GROUP_LABELS=GROUP_LABELS,
        **LABELS,
    )


# -- applying for a member -----------------------------------------------------------------------


def _member_of_args() -> Member | None:
    """The member named by ``?anggota=``; a number no row can have names nobody."""
    member_id = request.values.get("anggota", type=int)
    if member_id is None or not 0 < member_id <= MAX_ID:
        return None
    return members.get_member_for_tenant(tenant_db(), member_id)


def _apply_page(form: ApplicationForm, member: Member, products: list[LoanProduct]) -> str:
    offer = application.offer_for(form, member, products)
    template = "loans/_preview.html" if request.headers.get("HX-Request") else "loans/apply.html"
    return render_template(template, form=form, member=member, offer=offer, **LABELS)


@bp.route("/ajukan", methods=["GET", "POST"])
@tenant_view(Permission.APPLY_LOANS)
def apply() -> Response | str | tuple[str, int]:
    """Take a member's application: find the member, then the loan and its preview."""
    member = _member_of_args()
    if member is None:
        query = request.args.get("q", "").strip()[:100]
        found = (
            members.search_members(tenant_db(), query, status=MemberStatus.ACTIVE, limit=20)
            if query
            else []
        )
        return render_template("loans/find_member.html", query=query, members=found)
    products = loans.list_products(tenant_db(), active_only=True)
    form = ApplicationForm()
    form.offer(products)
    if request.method == "GET" or application.is_preview_request():
        if request.method == "POST":
            form.validate()
        return _apply_page(form, member, products)
    loan = application.submit(form, member, products, applied_by_id=current_user.id)
    if loan is None:
        return _apply_page(form, member, products), 422
    tenant_db().commit()
    flash(_("Application %(number)s recorded.", number=loan.number), "success")
    return redirect(url_for("loans.show", loan_id=loan.id))


# -- a loan --------------------------------------------------------------------------------------


def loan_page(
    loan: Loan,
    *,
    decision: NoteForm | None = None,
    cancellation: NoteForm | None = None,
    payout: PayoutForm | None = None,
    **panels: Any,
) -> str:
    """A loan's page; ``panels`` are the forms of paying back sent with a refusal."""
    session = tenant_db()
    settings = loans.get_settings(session)
    member = members.get_member_for_tenant(session, loan.member_id)
    product = session.get(LoanProduct, loan.product_id)
    return render_template(
        "loans/loan.html",
        loan=loan,
        member=member,
        product=product,
        settings=settings,
        approver_labels=[role_label(r) for r in settings.approver_roles],
        decisions=queries.decisions_of(session, loan),
        applicant=queries.user_name(session, loan.applied_by_id),
        instalments=loans.schedule(session, loan),
        is_applicant=loan.applied_by_id == current_user.id,
        may_decide=_may_decide(loan, settings.approver_roles),
        may_cancel=loan.status in (LoanStatus.APPLIED, LoanStatus.APPROVED)
        and current_user.can(Permission.APPLY_LOANS),
        may_pay_out=loan.status is LoanStatus.APPROVED and current_user.can(Permission.POST_MONEY),
        net=loan.principal - loan.admin_fee - loan.insurance_fee,
        decision=decision or NoteForm(formdata=None, prefix="putusan"),
        cancellation=cancellation or NoteForm(formdata=None, prefix="batal"),
        payout=payout or fresh_payout_form(),
        role_label=role_label,
        **repayment_panels(loan, **panels),
        **LABELS,
    )


def _may_decide(loan: Loan, approver_roles: list[str]) -> bool:
    """Whether the viewer is offered the decision (the operation checks it again)."""
    return (
        loan.status is LoanStatus.APPLIED
        and current_user.can(Permission.DECIDE_LOANS)
        and current_user.role.value in approver_roles
        and loan.applied_by_id != current_user.id
        and not queries.has_decided(tenant_db(), loan, current_user.id)
    )


@bp.route("/<int:loan_id>")
@tenant_view(Permission.OFFICER_AREA)
def show(loan_id: int) -> str:
    return loan_page(loan_or_404(loan_id))


def _refusal(exc: LedgerError) -> str:
    return str(LOAN_ERRORS.get(exc.code, UNKNOWN_REFUSAL))


@bp.route("/<int:loan_id>/putuskan", methods=["POST"])
@tenant_view(Permission.DECIDE_LOANS)
def decide(loan_id: int) -> Response | tuple[str, int]:
    """One officer's yes or no; the cooperative's rule says whose and how many count."""
    loan = loan_or_404(loan_id)
    form = NoteForm(prefix="putusan")
    approve = request.form.get("keputusan") == "setuju"
    if form.validate_on_submit() and request.form.get("keputusan") in ("setuju", "tolak"):
        try:
            loans.decide(
                tenant_db(),
                loan,
                user_id=current_user.id,
                role=current_user.role.value,
                approve=approve,
                note=form.note.data,
                today=clock.today(),
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.note.errors = [_refusal(exc)]
        else:
            tenant_db().commit()
            flash(
                _("Your approval is recorded.") if approve else _("The loan is rejected."),
                "success",
            )
            return redirect(url_for("loans.show", loan_id=loan.id))
    elif not form.errors:
        form.note.errors = [_("Choose to approve or to reject.")]
    return loan_page(loan_or_404(loan_id), decision=form), 422


@bp.route("/<int:loan_id>/batal", methods=["POST"])
@tenant_view(Permission.APPLY_LOANS)
def cancel(loan_id: int) -> Response | tuple[str, int]:
    """Withdraw a loan before it is paid out."""
    loan = loan_or_404(loan_id)
    form = NoteForm(prefix="batal")
    if form.validate_on_submit():
        try:
            loans.cancel(tenant_db(), loan, note=form.note.data, today=clock.today())
        except LedgerError as exc:
            tenant_db().rollback()
            form.note.errors = [_refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("The loan is cancelled."), "success")
            return redirect(url_for("loans.show", loan_id=loan.id))
    return loan_page(loan_or_404(loan_id), cancellation=form), 422


@bp.route("/<int:loan_id>/cairkan", methods=["POST"])
@tenant_view(Permission.POST_MONEY)
def pay_out(loan_id: int) -> Response | tuple[str, int]:
    """Pay an approved loan out once, however often the form is sent."""
    loan = loan_or_404(loan_id)
    form = PayoutForm()
    if form.validate_on_submit():
        try:
            loans.disburse(
                tenant_db(),
                loan,
                method=PaymentMethod(form.method.data),
                on=clock.today(),
                idempotency_key=uuid.UUID(str(form.key.data)),
                officer_id=current_user.id,
            )
        except LedgerError as exc:
            tenant_db().rollback()
            form.method.errors = [_refusal(exc)]
        else:
            tenant_db().commit()
            flash(_("Paid out. Print the agreement for the member to sign."), "success")
            return redirect(url_for("loans.show", loan_id=loan.id))
    return loan_page(loan_or_404(loan_id), payout=form), 422


def akad_context(loan: Loan) -> dict[str, Any]:
    session = tenant_db()
    member = members.get_member_for_tenant(session, loan.member_id)
    if member is None:
        abort(404)
    instalments = loans.schedule(session, loan)
    letterhead = current_letterhead()
    return {
        "loan": loan,
        "member": member,
        "nik": mask_nik(member.nik),
        "product": session.get(LoanProduct, loan.product_id),
        "instalments": instalments,
        "total": sum(row.principal + row.interest for row in instalments),
        "total_interest": sum(row.interest for row in instalments),
        "in_words": rupiah_in_words(loan.principal),
        "net": loan.principal - loan.admin_fee - loan.insurance_fee,
        # The member, the guarantor, the chair and the treasurer sign in the agreement itself.
        "letterhead": replace(letterhead, signatures=()),
        "officers": letterhead.signatures,
        "chair": letterhead.signatures[0].name,
        **LABELS,
    }


@bp.route("/<int:loan_id>/akad.pdf")
@tenant_view(Permission.APPLY_LOANS)
def agreement(loan_id: int) -> Response:
    """The loan agreement and its schedule on A4, for the member and the officers to sign."""
    loan = loan_or_404(loan_id)
    if loan.disbursement_entry_id is None:
        abort(404)
    pdf = render_pdf(render_template("loans/akad_pdf.html", **akad_context(loan)))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="akad-{loan.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
