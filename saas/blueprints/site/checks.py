"""The public checks behind the QR codes printed on paper: a receipt and a member card.

Their addresses (``/kuitansi/<token>``, ``/kartu/<token>``) are on paper already and never move.
"""

from __future__ import annotations

from flask import abort, g, render_template

from saas.access import Scope, public
from saas.blueprints.member_cards import member_id_from_card
from saas.blueprints.site.views import bp
from saas.db import tenant_db
from saas.loans import queries as loan_queries
from saas.loans.models import LoanRepayment
from saas.members import operations as members
from saas.savings import operations as savings
from saas.savings.models import Receipt


@bp.route("/kuitansi/<token>")
@public(Scope.TENANT)
def check_receipt(token: str) -> str | tuple[str, int]:
    """Anyone holding a receipt (savings or a loan payment) can check it through its QR code:
    number, date, amount, cooperative, and whether the movement was cancelled. A number alone
    shows nothing."""
    g.private_page = True  # kept by no cache: a reversal changes the answer at once
    # One address for every receipt: tokens are unique in each table, savings looked at first.
    found: Receipt | LoanRepayment | None = savings.find_receipt_by_token(tenant_db(), token)
    if found is None:
        found = loan_queries.payment_by_token(tenant_db(), token)
    if found is None:
        return render_template("site/receipt_unknown.html"), 404
    return render_template("site/receipt_check.html", receipt=found)


@bp.route("/kartu/<token>")
@public(Scope.TENANT)
def check_member(token: str) -> str:
    """What a member card's QR code opens: name, number and status (no NIK, nothing else)."""
    member_id = member_id_from_card(token)
    if member_id is None:
        abort(404)
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    return render_template("site/card_check.html", member=member)
