"""The cooperative's plan at Guyub (ketua and bendahara), and Stripe's webhook on the platform."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectField

from saas import clock
from saas.access import Scope, public, tenant_view
from saas.accounts.roles import Permission
from saas.billing import limits, queries
from saas.billing import operations as billing
from saas.billing.limits import PlanFeatureError
from saas.billing.models import Subscription
from saas.billing.rules import PAID_STATUSES, grace_days_left
from saas.billing.stripe_gateway import GatewayError, NextInvoice, StripeGateway
from saas.blueprints.billing.limits import plan_feature_message
from saas.blueprints.forms import Form, choices_from
from saas.blueprints.links import external_url
from saas.db import platform_db, tenant_db
from saas.extensions import csrf
from saas.jobs import send_grace_notice

log = logging.getLogger(__name__)
bp = Blueprint("billing", __name__)

BILLING_MESSAGES = {
    "unavailable": _l(
        "We could not reach the payment service, so nothing was changed. Try again in a few"
        " minutes."
    ),
    "off": _l("Paid plans are not available on this server yet. The free plan stays on."),
    "already_subscribed": _l("The cooperative already has a paid plan."),
    "not_subscribed": _l("The cooperative has no paid plan to change."),
    "same_period": _l("The plan is already billed this way."),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "trialing": _l("Trial"),
    "past_due": _l("Payment overdue"),
    "unpaid": _l("Unpaid"),
    "canceled": _l("Ended"),
    "paused": _l("Paused"),
    "incomplete": _l("Waiting for the first payment"),
    "incomplete_expired": _l("First payment not made"),
}
INVOICE_LABELS = {
    "paid": _l("Paid"),
    "open": _l("Due"),
    "draft": _l("Draft"),
    "void": _l("Cancelled"),
    "uncollectible": _l("Not collected"),
}
PERIODS = choices_from({"month": _l("Monthly"), "year": _l("Yearly")})
# Stripe's test cards: one that pays, one whose charges are declined (to see the grace period).
TEST_CARDS = choices_from(
    {
        "pm_card_visa": _l("Test card that pays (Visa 4242)"),
        "pm_card_chargeCustomerFail": _l("Test card whose payments fail (Visa 0341)"),
    }
)


class UpgradeForm(Form):
    period = RadioField(_l("Pay"), choices=PERIODS, default="month")


class PeriodForm(Form):
    period = RadioField(_l("Bill the plan"), choices=PERIODS)


class TestCardForm(Form):
    card = SelectField(_l("Card"), choices=TEST_CARDS)


def current_gateway() -> StripeGateway | None:
    gateway: StripeGateway | None = current_app.extensions.get("guyub.billing")
    return gateway


def billing_page(
    upgrade: UpgradeForm | None = None,
    problem: str | None = None,
    status: int = 200,
    card: TestCardForm | None = None,
    period: PeriodForm | None = None,
) -> tuple[str, int]:
    """The plan, its status, the next and past invoices, and what may be done now."""
    gateway = current_gateway()
    subscription = queries.get_subscription(platform_db(), g.tenant.id)
    invoices, invoices_failed = [], False
    if gateway is not None and subscription is not None:
        try:
            invoices = gateway.list_invoices(subscription.stripe_customer_id)
        except GatewayError:
            invoices_failed = True
    terms = queries.terms_for(platform_db(), g.tenant.id)
    return render_template(
        "billing/index.html",
        gateway=gateway,
        subscription=subscription,
        terms=terms,
        plans=queries.list_plans(platform_db()),
        next_invoice=_next_invoice(gateway, subscription),
        grace_days_left=(
            grace_days_left(subscription.grace_until, clock.now())
            if subscription is not None and subscription.grace_until is not None
            else None
        ),
        invoices=invoices,
        invoices_failed=invoices_failed,
        members=limits.active_members(tenant_db()),
        officers=limits.officer_seats(tenant_db()),
        upgrade=upgrade or UpgradeForm(),
        test_card=card or TestCardForm(),
        period_form=period or PeriodForm(period=_other_period(subscription)),
        problem=BILLING_MESSAGES[problem] if problem else None,
        checkout_done=request.args.get("selesai") == "1",
        status_labels=STATUS_LABELS,
        invoice_labels=INVOICE_LABELS,
    ), status


def _other_period(subscription: Subscription | None) -> str:
    """The period a change would move to: yearly from monthly, and back."""
    return "month" if subscription is not None and subscription.period == "year" else "year"


def _next_invoice(
    gateway: StripeGateway | None, subscription: Subscription | None
) -> NextInvoice | None:
    """The next invoice while the plan renews: Stripe's preview (a change of period's
    proration included), else the plan's price at the period's end when Stripe cannot say."""
    if subscription is None or subscription.cancel_at_period_end:
        return None
    if subscription.status not in PAID_STATUSES or not subscription.period:
        return None
    if gateway is not None and subscription.stripe_subscription_id:
        try:
            return gateway.next_invoice(
                subscription.stripe_customer_id, subscription.stripe_subscription_id
            )
        except GatewayError:
            pass  # the plan's own price still tells the customer what to expect
    price = queries.get_price(platform_db(), subscription.plan.code, subscription.period)
    if price is None:
        return None
    return NextInvoice(price.amount, subscription.current_period_end)


@bp.app_errorhandler(PlanFeatureError)
def feature_needed(error: PlanFeatureError) -> tuple[str, int]:
    """Starting something new that the plan lacks: the upgrade message, nothing written (the
    request's sessions roll back what the refused operation began)."""
    return render_template(
        "billing/feature_needed.html", message=plan_feature_message(error.feature)
    ), 402


@bp.route("/kelola/langganan")
@tenant_view(Permission.MANAGE_BILLING)
def index() -> tuple[str, int]:
    return billing_page()


@bp.route("/kelola/langganan/mulai", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def upgrade() -> Response | tuple[str, int]:
    form = UpgradeForm()
    if not form.validate_on_submit():
        return billing_page(form, status=422)
    gateway = current_gateway()
    if gateway is None:
        return billing_page(form, "off", 503)
    price = queries.get_price(platform_db(), "koperasi", form.period.data)
    if price is None:  # the choices are the prices the migration made
        return billing_page(form, "unavailable", 503)
    try:
        checkout_url = billing.start_paid_plan(
            platform_db(),
            gateway,
            tenant_id=g.tenant.id,
            name=g.tenant.display_name,
            email=current_user.record.email,
            price=price,
            success_url=external_url(g.tenant, "billing.index", selesai="1"),
            cancel_url=external_url(g.tenant, "billing.index"),
        )
    except billing.BillingError as exc:
        platform_db().rollback()
        return billing_page(form, exc.code, 503 if exc.code == "unavailable" else 409)
    platform_db().commit()
    if checkout_url is not None:
        return redirect(checkout_url, 303)
    flash(_("The cooperative is on the Koperasi plan now (test mode)."), "success")
    return redirect(url_for("billing.index"), 303)


def _set_cancel(cancel: bool) -> Response | tuple[str, int]:
    gateway = current_gateway()
    if gateway is None:
        return billing_page(problem="off", status=503)
    try:
        billing.set_cancel_at_period_end(platform_db(), gateway, g.tenant.id, cancel=cancel)
    except billing.BillingError as exc:
        platform_db().rollback()
        return billing_page(problem=exc.code, status=503 if exc.code == "unavailable" else 409)
    platform_db().commit()
    if cancel:
        flash(_("The paid plan ends at the end of the period already paid for."), "success")
    else:
        flash(_("The paid plan renews again."), "success")
    return redirect(url_for("billing.index"), 303)


@bp.route("/kelola/langganan/berhenti", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def cancel() -> Response | tuple[str, int]:
    return _set_cancel(True)


@bp.route("/kelola/langganan/lanjutkan", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def resume() -> Response | tuple[str, int]:
    return _set_cancel(False)


@bp.route("/kelola/langganan/periode", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def change_period() -> Response | tuple[str, int]:
    """Bill the paid plan monthly or yearly from now on, prorated by Stripe."""
    form = PeriodForm()
    if not form.validate_on_submit():
        return billing_page(status=422, period=form)
    gateway = current_gateway()
    if gateway is None:
        return billing_page(problem="off", status=503, period=form)
    try:
        grace_started = billing.change_period(platform_db(), gateway, g.tenant.id, form.period.data)
    except billing.BillingError as exc:
        platform_db().rollback()
        status = 503 if exc.code == "unavailable" else 409
        return billing_page(problem=exc.code, status=status, period=form)
    if grace_started:
        _queue_grace_notice(g.tenant.id)
    platform_db().commit()
    if form.period.data == "year":
        flash(_("The plan is billed yearly from now on."), "success")
    else:
        flash(_("The plan is billed monthly from now on."), "success")
    return redirect(url_for("billing.index"), 303)


@bp.route("/kelola/langganan/kartu", methods=["POST"])
@tenant_view(Permission.MANAGE_BILLING)
def update_card() -> Response | tuple[str, int]:
    """Stripe's billing portal changes the card; test mode picks one of Stripe's test cards."""
    gateway = current_gateway()
    if gateway is None:
        return billing_page(problem="off", status=503)
    form = TestCardForm()
    if gateway.local and not form.validate_on_submit():
        return billing_page(status=422, card=form)
    try:
        portal_url = billing.change_card(
            platform_db(),
            gateway,
            g.tenant.id,
            return_url=external_url(g.tenant, "billing.index"),
            test_card=form.card.data,
        )
    except billing.BillingError as exc:
        return billing_page(problem=exc.code, status=503 if exc.code == "unavailable" else 409)
    if portal_url is not None:
        return redirect(portal_url, 303)
    flash(_("The card is changed (test mode)."), "success")
    return redirect(url_for("billing.index"), 303)


@bp.route("/stripe/webhook", methods=["POST"])
@public(Scope.PLATFORM)
@csrf.exempt
def webhook() -> tuple[dict[str, str], int]:
    """Stripe's events, checked by their signature on the raw body and applied once each."""
    gateway = current_gateway()
    if gateway is None:
        return {"error": "billing is off"}, 404
    try:
        event = gateway.read_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except ValueError:
        return {"error": "bad signature"}, 400
    try:
        outcome = billing.handle_event(platform_db(), gateway, event)
        if outcome == "grace_started":
            _notify_grace(event)
    except GatewayError:
        platform_db().rollback()  # nothing recorded: Stripe delivers the event again
        return {"error": "stripe unreachable"}, 503
    platform_db().commit()
    return {"outcome": outcome}, 200


def _notify_grace(event: dict[str, object]) -> None:
    customer = billing.customer_of(event)
    subscription = queries.get_subscription_by_customer(platform_db(), customer)
    if subscription is not None:
        _queue_grace_notice(subscription.tenant_id)


def _queue_grace_notice(tenant_id: int) -> None:
    """Queue the grace notice on the request's own transaction: it exists only if that
    commits."""
    driver = platform_db().connection().connection.driver_connection
    send_grace_notice.configure(connection=driver).defer(tenant_id=tenant_id)
