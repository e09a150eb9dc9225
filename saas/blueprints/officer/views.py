"""The cooperative's own area: the officers' home and the team."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts import operations as accounts
from saas.accounts.roles import Permission, Role
from saas.accounts.tokens import make_token
from saas.billing.limits import PlanLimitError
from saas.blueprints.billing.limits import current_terms, plan_limit_message
from saas.blueprints.links import external_url
from saas.blueprints.officer.forms import InviteForm, TeamMemberForm
from saas.db import tenant_db
from saas.mail import send_templated
from saas.savings import dashboard

bp = Blueprint("officer", __name__)

ACCOUNT_ERRORS = {
    "email_taken": lambda: _("Someone in this cooperative already uses that email."),
    "cannot_change_self": lambda: _("You cannot change your own role or access."),
    "last_manager": lambda: _(
        "At least one active board officer (chair, vice chair, secretary or treasurer) must "
        "remain to manage the team."
    ),
    "invitation_used": lambda: _("This invitation was already used or cancelled."),
    "invitation_expired": lambda: _("This invitation has expired."),
}


@bp.route("/kelola")
@tenant_view(Permission.OFFICER_AREA)
def home() -> str:
    summary = None
    if current_user.can(Permission.POST_MONEY) or current_user.can(Permission.KEEP_BOOKS):
        summary = dashboard.overview(tenant_db(), clock.today())
    return render_template(
        "officer/home.html",
        overview=summary,
        bars=dashboard.chart_bars(summary.trend) if summary else [],
    )


@bp.route("/kelola/tim", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_TEAM)
def team() -> Response | str | tuple[str, int]:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = accounts.invite_colleague(
                tenant_db(),
                inviter=current_user.record,
                name=form.name.data or "",
                email=form.email.data or "",
                role=Role(form.role.data),
                valid_for=current_app.extensions["guyub.settings"].invitation_max_age,
                officer_limit=current_terms().officer_limit,
            )
        except accounts.AccountError as exc:
            form.email.errors = [ACCOUNT_ERRORS[exc.code]()]
        except PlanLimitError as exc:
            form.form_errors.append(plan_limit_message(exc))
        else:
            tenant_db().commit()
            send_invitation(invitation)
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("officer.team"))
    status = 422 if form.errors else 200
    return (
        render_template(
            "officer/team.html",
            form=form,
            team=accounts.list_team(tenant_db()),
            invitations=accounts.list_open_invitations(tenant_db()),
        ),
        status,
    )


def send_invitation(invitation: accounts.Invitation) -> None:
    settings = current_app.extensions["guyub.settings"]
    token = make_token(settings.secret_key, "invite", {"tid": g.tenant.id, "iid": invitation.id})
    send_templated(
        invitation.email,
        _("You are invited to %(cooperative)s", cooperative=g.tenant.display_name),
        "invitation",
        name=invitation.name,
        inviter=current_user.name,
        cooperative=g.tenant.display_name,
        role=invitation.role,
        link=external_url(g.tenant, "auth.accept_invitation", token=token),
        days=settings.invitation_max_age.days,
    )


@bp.route("/kelola/tim/<int:user_id>", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_TEAM)
def team_member(user_id: int) -> Response | str | tuple[str, int]:
    member = accounts.get_user_for_tenant(tenant_db(), user_id)
    if member is None:
        abort(404)
    form = TeamMemberForm(obj=member, role=member.role.value)
    if form.validate_on_submit():
        try:
            accounts.update_team_member(
                tenant_db(),
                actor=current_user.record,
                user=member,
                role=Role(form.role.data),
                is_active=bool(form.is_active.data),
            )
        except accounts.AccountError as exc:
            form.role.errors = [ACCOUNT_ERRORS[exc.code]()]
        else:
            tenant_db().commit()
            flash(_("Saved."), "success")
            return redirect(url_for("officer.team"))
    status = 422 if form.errors else 200
    return render_template("officer/team_member.html", form=form, member=member), status


@bp.route("/kelola/undangan/<int:invitation_id>/batal", methods=["POST"])
@tenant_view(Permission.MANAGE_TEAM)
def revoke_invitation(invitation_id: int) -> Response:
    invitation = accounts.get_invitation_for_tenant(tenant_db(), invitation_id)
    if invitation is None:
        abort(404)
    try:
        accounts.revoke_invitation(tenant_db(), invitation)
    except accounts.AccountError as exc:
        flash(ACCOUNT_ERRORS[exc.code](), "error")
    else:
        tenant_db().commit()
        flash(_("Invitation cancelled."), "success")
    return redirect(url_for("officer.team"))
