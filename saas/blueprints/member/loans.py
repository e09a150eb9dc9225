"""A member's own loans: what is due and the QRIS code paying it, a loan's schedule with what
is paid, their payments' receipts, and applying for themselves. Only their own: another
member's loan is not found."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.loans import application
from saas.blueprints.loans.forms import ApplicationForm
from saas.blueprints.loans.views import LABELS
from saas.blueprints.member.views import bp
from saas.db import tenant_db
from saas.loans import operations as loans
from saas.loans import queries, repayments
from saas.loans.models import Loan, LoanProduct, LoanRepayment
from saas.members.models import Member, MemberStatus
from saas.members.queries import member_of_user
from saas.payments.qris import dynamic_payload
from saas.payments.queries import get_qris_setting
from saas.qr import qr_svg


def _member_or_404() -> Member:
    member = member_of_user(tenant_db(), current_user.id)
    if member is None:
        abort(404)
    return member


def check_url(payment: LoanRepayment) -> str:
    """A payment's receipt as anyone holding it checks it: the address its QR code opens."""
    return url_for("site.check_receipt", token=payment.token)


def loan_qris(loan: Loan, member: Member, amount: int) -> LoanQris | None:
    """What is due now on the loan as a QRIS code with the exact amount, labelled with the
    loan's number; None when nothing is due or the cooperative has no QRIS code."""
    setting = get_qris_setting(tenant_db())
    if setting is None or amount <= 0 or member.status != MemberStatus.ACTIVE:
        return None
    payload = dynamic_payload(setting.payload, amount, bill_number=loan.number)
    return LoanQris(payload, qr_svg(payload, scale=4), amount, setting.merchant_name)


@dataclass(frozen=True)
class LoanQris:
    payload: str
    svg: Markup
    amount: int  # rupiah
    merchant_name: str


@bp.route("/pinjaman/<int:loan_id>")
@tenant_view(Permission.MEMBER_AREA)
def loan(loan_id: int) -> str:
    """The signed-in member's own loan: what is due, its schedule, their payments."""
    member = _member_or_404()
    session = tenant_db()
    found = queries.loan_of_member(session, loan_id, member.id)
    if found is None:
        abort(404)
    now = queries.standing_if_paid_out(session, found, clock.today())
    return render_template(
        "member/loan.html",
        loan=found,
        member=member,
        product=session.get(LoanProduct, found.product_id),
        instalments=loans.schedule(session, found),
        standing=now,
        rows=queries.instalment_rows(now) if now else [],
        late_fees=queries.late_fees_due(now) if now else 0,
        payments=repayments.repayments_of(session, found) if now else [],
        restructures=queries.restructures_of(session, found) if now else [],
        receipt_url=check_url,
        qris=loan_qris(found, member, now.due_now) if now else None,
        **LABELS,
    )


@bp.route("/pinjaman/ajukan", methods=["GET", "POST"])
@tenant_view(Permission.MEMBER_AREA)
def apply_loan() -> Response | str | tuple[str, int]:
    """The member applies for themselves; the officers then decide."""
    member = _member_or_404()
    products = loans.list_products(tenant_db(), active_only=True)
    form = ApplicationForm()
    form.offer(products)
    if request.method == "POST" and not application.is_preview_request():
        created = application.submit(form, member, products, applied_by_id=current_user.id)
        if created is not None:
            tenant_db().commit()
            flash(
                _("Your application %(number)s is sent to the officers.", number=created.number),
                "success",
            )
            return redirect(url_for("member.loan", loan_id=created.id))
        status = 422
    else:
        if request.method == "POST":
            form.validate()
        status = 200
    offer = application.offer_for(form, member, products)
    template = (
        "loans/_preview.html" if request.headers.get("HX-Request") else "member/apply_loan.html"
    )
    return render_template(template, form=form, member=member, offer=offer, **LABELS), status
