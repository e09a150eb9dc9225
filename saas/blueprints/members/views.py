"""The members' register for officers: search, register, edit, record an exit, the KTP photo."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.operations import find_tenant_user_by_login
from saas.accounts.passwords import verify_password
from saas.accounts.roles import Permission
from saas.billing.limits import PlanLimitError
from saas.blueprints.auth.forms import AccountHolderForm
from saas.blueprints.auth.views import password_token
from saas.blueprints.billing.limits import current_terms, plan_limit_message
from saas.blueprints.labels import KIND_LABELS
from saas.blueprints.links import external_url
from saas.blueprints.member_cards import card_url
from saas.blueprints.members.forms import ExitForm, MemberForm
from saas.blueprints.profile.documents import storage
from saas.blueprints.profile.views import read_photo
from saas.blueprints.ratelimits import login_limits
from saas.blueprints.summary import refresh_summary_after_change
from saas.db import tenant_db
from saas.i18n import rupiah_filter
from saas.ledger.rules import LedgerError
from saas.loans import repayments
from saas.members import operations as members
from saas.members.models import Member, MemberStatus
from saas.members.operations import MemberDetails, MemberError
from saas.members.rules import check_nik, mask_nik
from saas.phones import whatsapp_number
from saas.qr import qr_svg
from saas.savings import bills
from saas.savings import operations as savings
from saas.savings.models import PaymentMethod

bp = Blueprint("members", __name__, url_prefix="/kelola/anggota")
bp.after_request(refresh_summary_after_change)  # the microsite counts active members


def _exit_key(value: str | None) -> uuid.UUID:
    """The exit form's idempotency key (a fresh one when the form was tampered with)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.uuid4()


MEMBER_ERRORS = {
    "period_closed": _l("The books of that month are closed. Use a date in an open month."),
    "treasurer_settles": _l(
        "This member still has savings: the chair, treasurer or cashier records the exit and "
        "pays them back."
    ),
    "nik_taken": _l("A member with this NIK is already registered."),
    "already_left": _l("This member has already left."),
    "exit_before_join": _l("A member cannot leave before the day they joined."),
    "not_left": _l("This member is active: only a member who left can be re-admitted."),
    "officer_account": _l(
        "This member signs in with an officer's account. Only its holder can change its password."
    ),
    "already_linked": _l("This member already has an account."),
    "account_taken": _l("That account already belongs to another member."),
    "has_password": _l(
        "This member has already chosen a password. If they forgot it, they ask for a new one "
        "on the sign-in page."
    ),
    "not_enough_money": _l("There is not that much money in the cash or bank account."),
}
STATUS_LABELS = {MemberStatus.ACTIVE: _l("active"), MemberStatus.LEFT: _l("left")}


@bp.app_template_filter("masked_nik")
def masked_nik(nik: str | None) -> str:
    return mask_nik(nik)


@bp.context_processor
def labels() -> dict[str, object]:
    return {
        "MEMBER_STATUS_LABELS": STATUS_LABELS,
        "can_see_sensitive": current_user.is_authenticated
        and current_user.can(Permission.SEE_SENSITIVE),
    }


@bp.route("")
@tenant_view(Permission.MANAGE_MEMBERS)
def index() -> str:
    query = request.args.get("q", "")[:100]
    status = request.args.get("status", "active")
    chosen = MemberStatus(status) if status in {s.value for s in MemberStatus} else None
    found = members.search_members(tenant_db(), query, status=chosen, limit=100)
    return render_template(
        "members/index.html", members=found, query=query, status=status if chosen else "all"
    )


def member_form(member: Member | None) -> MemberForm:
    """The form this officer may fill in: cashiers register members (the NIK typed once) but
    never see or change a NIK afterwards, nor the KTP photo."""
    form = MemberForm(obj=member)
    if not current_user.can(Permission.SEE_SENSITIVE):
        del form.ktp_photo
        if member is not None:
            del form.nik
    return form


def _details(form: MemberForm, member: Member | None) -> MemberDetails:
    """What the form says; the stored NIK when this officer may not see (or change) it."""
    number = form.nik.data if "nik" in form else member.nik if member else ""
    nik = check_nik(number or "")
    return MemberDetails(
        nik=number or "",
        name=form.name.data or "",
        gender=nik.gender,
        birth_date=nik.birth_date,
        address=form.address.data or None,
        village=form.village.data or None,
        phone=form.phone.data,
        join_date=form.join_date.data or clock.today(),
    )


def _warn_about_region(form: MemberForm) -> None:
    if "nik" in form and "wilayah_unknown" in check_nik(form.nik.data or "").warnings:
        flash(
            _(
                "The region digits of this NIK are not in the current Kemendagri list (it may "
                "predate a region split). Check the KTP; the member was saved."
            ),
            "info",
        )


@bp.route("/baru", methods=["GET", "POST"])
@bp.route("/<int:member_id>", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def edit(member_id: int | None = None) -> Response | str | tuple[str, int]:
    member = None
    if member_id is not None:
        member = members.get_member_for_tenant(tenant_db(), member_id)
        if member is None:
            abort(404)
    form = member_form(member)
    if request.method == "GET" and member is None:
        form.join_date.data = clock.today()
    photo = None
    if form.validate_on_submit() and (
        "ktp_photo" not in form
        or (photo := read_photo(form.ktp_photo)) is not None
        or not form.ktp_photo.errors
    ):
        try:
            if member is None:
                saved = members.register_member(
                    tenant_db(), _details(form, None), member_limit=current_terms().member_limit
                )
            else:
                saved = members.update_member(tenant_db(), member, _details(form, member))
        except MemberError as exc:
            tenant_db().rollback()
            form.nik.errors = [str(MEMBER_ERRORS[exc.code])]
        except PlanLimitError as exc:
            tenant_db().rollback()
            form.form_errors.append(plan_limit_message(exc))
        else:
            replaced = (
                members.set_ktp_photo(
                    tenant_db(), storage(), saved, photo, owner=g.tenant.schema_name
                )
                if photo is not None
                else None
            )
            tenant_db().commit()
            if replaced:
                storage().delete(replaced)
            _warn_about_region(form)
            flash(_("Member %(number)s saved.", number=saved.number), "success")
            return redirect(url_for("members.edit", member_id=saved.id))
    status = 422 if form.errors else 200
    return render_template("members/edit.html", form=form, member=member), status


@bp.route("/<int:member_id>/keluar", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def record_exit(member_id: int) -> Response | str | tuple[str, int]:
    """What a leaving member is paid back, confirmed with the date and a reason."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    if request.method == "GET":
        if member.status != MemberStatus.ACTIVE:
            return redirect(url_for("members.edit", member_id=member.id))
        return exit_page(member, ExitForm(left_on=clock.today(), key=str(uuid.uuid4())))
    exit_form = ExitForm()
    if exit_form.validate_on_submit():
        on = exit_form.left_on.data or clock.today()
        try:
            offset = 0
            if current_user.can(Permission.POST_MONEY):
                key = _exit_key(exit_form.key.data)
                offset = repayments.settle_from_savings(
                    tenant_db(),
                    member,
                    on=on,
                    idempotency_key=key,
                    officer_id=current_user.id,
                    officer_name=current_user.name,
                )
                paid = savings.settle_savings(
                    tenant_db(),
                    member,
                    paid_on=on,
                    method=PaymentMethod(exit_form.method.data),
                    idempotency_key=key,
                    officer_id=current_user.id,
                )
            elif any(savings.balances(tenant_db(), member.id).values()):
                raise MemberError("treasurer_settles")
            else:
                paid = 0
            members.record_exit(tenant_db(), member, on=on, reason=exit_form.reason.data)
            tenant_db().commit()
        except (MemberError, LedgerError) as exc:
            tenant_db().rollback()
            exit_form.left_on.errors = [
                str(MEMBER_ERRORS.get(exc.code, MEMBER_ERRORS["period_closed"]))
            ]
        else:
            flash(_("The exit of %(name)s is recorded.", name=member.name), "success")
            if offset:
                flash(
                    _(
                        "%(amount)s of savings paid the member's loans.",
                        amount=rupiah_filter(offset),
                    ),
                    "info",
                )
            if paid:
                flash(_("%(amount)s of savings paid back.", amount=rupiah_filter(paid)), "info")
            return redirect(url_for("members.edit", member_id=member.id))
    return exit_page(member, exit_form), 422


def exit_page(member: Member, exit_form: ExitForm) -> str:
    balances = savings.balances(tenant_db(), member.id)
    total = sum(amount for amount in balances.values() if amount > 0)
    owed = repayments.payoff_of_member(tenant_db(), member, clock.today())
    offset = min(owed, total)
    return render_template(
        "members/exit.html",
        member=member,
        exit_form=exit_form,
        balances=balances,
        loans_owed=owed,
        offset=offset,
        total=total - offset,
        unpaid=len(
            [i for _b, i in bills.shares_of_member(tenant_db(), member.id) if i.receipt_id is None]
        ),
        may_pay=current_user.can(Permission.POST_MONEY),
        KIND_LABELS=KIND_LABELS,
    )


@bp.route("/<int:member_id>/aktifkan", methods=["POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def readmit(member_id: int) -> Response:
    """A member who left joins again, with the same number, from today."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    try:
        members.readmit_member(tenant_db(), member, on=clock.today())
    except MemberError:
        tenant_db().rollback()
        flash(str(MEMBER_ERRORS["not_left"]), "error")
    else:
        tenant_db().commit()
        flash(_("%(name)s is an active member again.", name=member.name), "success")
    return redirect(url_for("members.edit", member_id=member.id))


@bp.route("/<int:member_id>/akses", methods=["POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def online_access(member_id: int) -> str | tuple[str, int]:
    """A link for the member to set a password and see their own accounts, to send by WhatsApp."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    if member.status != MemberStatus.ACTIVE:
        abort(409)
    try:
        user = members.give_online_access(tenant_db(), member)
    except MemberError as exc:
        tenant_db().rollback()
        flash(str(MEMBER_ERRORS[exc.code]), "error")
        return render_template("members/edit.html", form=member_form(member), member=member), 409
    tenant_db().commit()
    link = external_url(g.tenant, "auth.member_access", token=password_token(user, "access"))
    message = _(
        "%(cooperative)s: open this link to see your savings. Member number %(number)s. %(link)s",
        cooperative=g.tenant.display_name,
        number=member.number,
        link=link,
    )
    share = (
        f"https://wa.me/{whatsapp_number(member.phone)}?text={quote(message)}"
        if member.phone
        else None
    )
    days = current_app.extensions["guyub.settings"].invitation_max_age.days
    return render_template("members/access.html", member=member, link=link, share=share, days=days)


@bp.route("/<int:member_id>/tautkan-akun", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_TEAM)
@login_limits
def link_account(member_id: int) -> Response | str | tuple[str, int]:
    """Link a member to an existing account, confirmed by its holder's own password."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    if member.user_id is not None or member.status != MemberStatus.ACTIVE:
        abort(409)
    form = AccountHolderForm()
    if not form.validate_on_submit():
        return render_template("members/link_account.html", form=form, member=member), (
            422 if form.is_submitted() else 200
        )
    account = find_tenant_user_by_login(tenant_db(), form.identifier.data or "")
    if not verify_password(account.password_hash if account else None, form.password.data or ""):
        g.login_failed = True  # counts towards the sign-in throttle of that account
        form.password.errors = [_("The email/phone number or password is not right.")]
        return render_template("members/link_account.html", form=form, member=member), 422
    assert account is not None
    try:
        members.link_member_to_account(tenant_db(), member, account)
    except MemberError as exc:
        tenant_db().rollback()
        form.identifier.errors = [str(MEMBER_ERRORS[exc.code])]
        return render_template("members/link_account.html", form=form, member=member), 409
    tenant_db().commit()
    flash(_("%(name)s now sees this member's accounts.", name=account.name), "success")
    return redirect(url_for("members.edit", member_id=member.id))


@bp.route("/<int:member_id>/kartu")
@tenant_view(Permission.MANAGE_MEMBERS)
def card(member_id: int) -> str:
    """A member card to print: name, number, join date and a QR code to check it."""
    member = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    return render_template("members/card.html", member=member, qr=qr_svg(card_url(member)))


@bp.route("/<int:member_id>/ktp")
@tenant_view(Permission.SEE_SENSITIVE)
def ktp_photo(member_id: int) -> Response:
    """The KTP photo, for the chair, secretary and treasurer only; never cached."""
    member: Member | None = members.get_member_for_tenant(tenant_db(), member_id)
    if member is None or not member.ktp_photo_key:
        abort(404)
    content = storage().read(member.ktp_photo_key)
    mimetype = "image/png" if member.ktp_photo_key.endswith(".png") else "image/jpeg"
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response
