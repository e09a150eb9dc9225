"""Sign in and out, forgotten passwords, and accepting an invitation.

The same views serve the platform host (platform admins) and each cooperative's host (its users).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote, urlsplit

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from saas.access import Scope, public
from saas.accounts import operations as accounts
from saas.accounts.identity import SignedInUser
from saas.accounts.models import PlatformAdmin, TenantUser
from saas.accounts.roles import Permission, Role
from saas.accounts.tokens import TokenExpired, TokenInvalid, password_fingerprint, read_token
from saas.blueprints.auth.forms import ForgotPasswordForm, LoginForm, MemberForgotPasswordForm
from saas.blueprints.auth.reset_mail import account_token
from saas.blueprints.forms import NewPasswordForm
from saas.blueprints.ratelimits import login_limits, reset_request_limits
from saas.db import platform_db, tenant_db
from saas.jobs import send_password_reset
from saas.members.queries import find_user_of_member_number
from saas.security import end_session, start_session
from saas.tenants.models import Tenant

bp = Blueprint("auth", __name__)

# Browsers drop tabs and line breaks anywhere in a URL and read a backslash as a slash.
BROWSER_IGNORED = re.compile(r"[\t\n\r]")
C0_AND_SPACE = "".join(map(chr, range(0x21)))  # trimmed from both ends of a URL
PATH_SAFE = "/?#&=;:@!$'()*+,~%-._"


def safe_next(target: str | None) -> str | None:
    """A path on this host to return to after sign-in, or None (never another host).

    The target is read the way a browser reads it before it is judged, and returned quoted, so
    what passes is a path here whatever the browser does with it.
    """
    if not target:
        return None
    cleaned = BROWSER_IGNORED.sub("", target.strip(C0_AND_SPACE)).replace("\\", "/")
    parts = urlsplit(cleaned)
    quoted = quote(cleaned, safe=PATH_SAFE)
    if parts.scheme or parts.netloc or not quoted.startswith("/") or quoted.startswith("//"):
        return None
    return quoted


def home_for(user: SignedInUser) -> str:
    if user.is_platform_admin:
        return url_for("admin.home")
    if user.can(Permission.OFFICER_AREA):
        return url_for("officer.home")
    return url_for("member.home")


def find_account(identifier: str) -> TenantUser | PlatformAdmin | None:
    if g.tenant is not None:
        if accounts.MEMBER_NUMBER.fullmatch(identifier.strip()):  # members sign in by number
            return find_user_of_member_number(tenant_db(), str(int(identifier)))
        return accounts.find_tenant_user_by_login(tenant_db(), identifier)
    return accounts.find_platform_admin_by_email(platform_db(), identifier)


def account_session():
    return tenant_db() if g.tenant is not None else platform_db()


@bp.route("/masuk", methods=["GET", "POST"])
@public()
@login_limits
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = find_account(form.identifier.data or "")
        if accounts.authenticate(account_session(), account, form.password.data or ""):
            assert account is not None
            account_session().commit()
            user = SignedInUser(account)
            start_session(user)
            return redirect(safe_next(form.next.data) or home_for(user))
        g.login_failed = True
        form.password.errors = [_("The email/phone number or password is not right.")]
        return render_template("auth/login.html", form=form), 422
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/keluar", methods=["POST"])
@public()
def logout() -> Response:
    if current_user.is_authenticated:
        # A copy of the cookie taken before signing out must not outlive it.
        accounts.revoke_sessions(current_user.record)
        account_session().commit()
    end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


RESET_ASK_HOURS = int(accounts.RESET_ASK_VALID_FOR.total_seconds() // 3600)


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@public()
@reset_request_limits
def forgot_password() -> Response | str | tuple[str, int]:
    form = ForgotPasswordForm() if g.tenant is None else MemberForgotPasswordForm()
    if form.validate_on_submit():
        identifier = form.email.data or ""
        if "@" in identifier:
            # The same work and the same answer whether or not the account exists: a job looks.
            queue_reset_link(accounts.normalise_email(identifier))
            platform_db().commit()
            flash(
                _(
                    "If that email belongs to an account, we have sent a link to set a new "
                    "password."
                ),
                "info",
            )
        else:
            # A member without email has no link to follow: an officer answers the ask. The
            # answer is the same whether or not there is such an account.
            accounts.ask_for_new_password(tenant_db(), as_tenant_user(find_account(identifier)))
            tenant_db().commit()
            flash(
                _(
                    "If that is the phone number or member number of a member's account, your "
                    "request is recorded for %(hours)d hours. Ask an officer of your cooperative "
                    "to send you a new access link.",
                    hours=RESET_ASK_HOURS,
                ),
                "info",
            )
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form, for_members=g.tenant is not None), status


def as_tenant_user(account: TenantUser | PlatformAdmin | None) -> TenantUser | None:
    """The account if it is a cooperative's user (a member's ask is for nothing else)."""
    return account if isinstance(account, TenantUser) else None


@bp.app_template_global("reset_asked")
def reset_asked(user_id: int | None) -> bool:
    """Whether a member's account has an open ask for a new password (the officer's page)."""
    return user_id is not None and accounts.find_open_reset_ask(tenant_db(), user_id) is not None


def queue_reset_link(email: str) -> None:
    """Defer the reset email on the request's platform connection: it exists once that commits."""
    driver = platform_db().connection().connection.driver_connection
    send_password_reset.configure(connection=driver).defer(
        tenant_id=g.tenant.id if g.tenant is not None else None,
        email=email,
        locale=str(get_locale() or current_app.extensions["guyub.settings"].default_locale),
    )


def password_token(account: TenantUser | PlatformAdmin, purpose: str = "reset") -> str:
    """A one-use link token to set this account's password, for this host's cooperative."""
    settings = current_app.extensions["guyub.settings"]
    return account_token(settings, g.tenant.id if g.tenant is not None else None, account, purpose)


def account_from_reset_token(
    token: str, purpose: str = "reset", max_age: timedelta | None = None
) -> TenantUser | PlatformAdmin:
    settings = current_app.extensions["guyub.settings"]
    age = max_age or settings.reset_token_max_age
    payload = read_token(settings.secret_key, purpose, token, int(age.total_seconds()))
    tenant_id = g.tenant.id if g.tenant is not None else None
    if payload.get("tid") != tenant_id or payload.get("k") != ("t" if tenant_id else "p"):
        raise TokenInvalid
    model = TenantUser if tenant_id else PlatformAdmin
    account = account_session().get(model, int(payload.get("uid", 0)))
    if account is None or not account.is_active:
        raise TokenInvalid
    if payload.get("fp") != password_fingerprint(account.password_hash, account.session_version):
        raise TokenExpired  # the password changed since: the link was used already
    return account


@bp.route("/atur-sandi/<token>", methods=["GET", "POST"])
@public()
def reset_password(token: str) -> Response | str | tuple[str, int]:
    try:
        account = account_from_reset_token(token)
    except TokenExpired:
        return render_template("auth/link_problem.html", problem="expired"), 410
    except (TokenInvalid, ValueError):
        return render_template("auth/link_problem.html", problem="invalid"), 404
    form = NewPasswordForm()
    form.personal_words = (account.name, account.email or "")
    if form.validate_on_submit():
        accounts.set_password(account_session(), account, form.password.data or "")
        account_session().commit()
        end_session()
        flash(_("Your password has been changed. Sign in with the new password."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form, account=account), status


HANDOFF_MAX_AGE = 300  # seconds: the link is followed by a redirect, at once


def handoff_payload(tenant: Tenant, user: TenantUser) -> dict[str, object]:
    """A one-time sign-in on the tenant's host for someone who just proved who they are."""
    last = user.last_login_at.isoformat() if user.last_login_at else None
    return {
        "tid": tenant.id,
        "uid": user.id,
        "last": last,
        "fp": password_fingerprint(user.password_hash, user.session_version),
    }


@bp.route("/akses/<token>", methods=["GET", "POST"])
@public(Scope.TENANT)
def member_access(token: str) -> Response | str | tuple[str, int]:
    """A member's first sign-in: the link an officer shared sets the password, then signs in."""
    settings = current_app.extensions["guyub.settings"]
    try:
        account = account_from_reset_token(token, "access", settings.invitation_max_age)
    except TokenExpired:
        return render_template("auth/link_problem.html", problem="expired"), 410
    except (TokenInvalid, ValueError):
        return render_template("auth/link_problem.html", problem="invalid"), 404
    assert isinstance(account, TenantUser)
    if account.role != Role.ANGGOTA or account.password_hash is not None:
        # Only a member account nobody has signed in to; its role may have changed since.
        return render_template("auth/link_problem.html", problem="expired"), 410
    form = NewPasswordForm()
    form.personal_words = (account.name, account.email or "")
    if form.validate_on_submit():
        accounts.set_password(tenant_db(), account, form.password.data or "")
        tenant_db().commit()
        signed_in = SignedInUser(account)
        start_session(signed_in)
        flash(_("Welcome, %(name)s! Your account is ready.", name=account.name), "success")
        return redirect(home_for(signed_in))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form, account=account), status


@bp.route("/masuk/lanjut/<token>")
@public(Scope.TENANT)
def handoff(token: str) -> Response | tuple[str, int]:
    """Sign in with a handoff link (after registering on the platform site); works once."""
    settings = current_app.extensions["guyub.settings"]
    try:
        payload = read_token(settings.secret_key, "handoff", token, HANDOFF_MAX_AGE)
    except (TokenExpired, TokenInvalid):
        return redirect(url_for("auth.login"))
    user = accounts.get_user_for_tenant(tenant_db(), int(payload.get("uid", 0)))
    if (
        payload.get("tid") != g.tenant.id
        or user is None
        or not user.is_active
        or payload != handoff_payload(g.tenant, user)
    ):
        return redirect(url_for("auth.login"))
    accounts.record_sign_in(tenant_db(), user)
    tenant_db().commit()
    signed_in = SignedInUser(user)
    start_session(signed_in)
    flash(_("Welcome, %(name)s! Your cooperative is ready.", name=user.name), "success")
    return redirect(home_for(signed_in))


@bp.route("/undangan/<token>", methods=["GET", "POST"])
@public(Scope.TENANT)
def accept_invitation(token: str) -> Response | str | tuple[str, int]:
    settings = current_app.extensions["guyub.settings"]
    try:
        payload = read_token(
            settings.secret_key, "invite", token, int(settings.invitation_max_age.total_seconds())
        )
    except TokenExpired:
        return render_template("auth/link_problem.html", problem="expired"), 410
    except TokenInvalid:
        return render_template("auth/link_problem.html", problem="invalid"), 404
    if payload.get("tid") != g.tenant.id:
        abort(404)
    invitation = accounts.get_invitation_for_tenant(tenant_db(), int(payload.get("iid", 0)))
    if invitation is None:
        abort(404)
    try:
        accounts.check_invitation_open(invitation)
    except accounts.AccountError as exc:
        problem = "expired" if exc.code == "invitation_expired" else "used"
        return render_template("auth/link_problem.html", problem=problem), 410
    form = NewPasswordForm()
    form.personal_words = (invitation.name, invitation.email)
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(tenant_db(), invitation, form.password.data or "")
        except accounts.AccountError:
            return render_template("auth/link_problem.html", problem="used"), 410
        tenant_db().commit()
        signed_in = SignedInUser(user)
        start_session(signed_in)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
        return redirect(home_for(signed_in))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), status
