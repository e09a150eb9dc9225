"""The password-reset email. A job sends it, so the request that asked for it takes the same time
whether or not the account exists."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from saas.accounts import operations as accounts
from saas.accounts.models import PlatformAdmin, TenantUser
from saas.accounts.tokens import make_token, password_fingerprint
from saas.blueprints.links import external_url
from saas.config import Settings
from saas.db import get_databases
from saas.mail import send_templated
from saas.tenants.models import Tenant
from saas.tenants.move_holds import open_tenant_for_job


def account_token(
    settings: Settings, tenant_id: int | None, account: TenantUser | PlatformAdmin, purpose: str
) -> str:
    """A link token to set this account's password: it stops working once the password (or the
    session version) changes, so it is good for one use."""
    return make_token(
        settings.secret_key,
        purpose,
        {
            "k": "p" if isinstance(account, PlatformAdmin) else "t",
            "tid": tenant_id,
            "uid": account.id,
            "fp": password_fingerprint(account.password_hash, account.session_version),
        },
    )


def send_reset_link(tenant_id: int | None, email: str) -> bool:
    """Email a reset link to the active account with this address, if there is one; whether sent.

    Runs in a job, inside an app context and the requester's locale.
    """
    databases = get_databases()
    if tenant_id is None:
        with databases.platform_session() as platform:
            return _send(None, accounts.find_platform_admin_by_email(platform, email))
    with open_tenant_for_job(databases, tenant_id) as opened:
        if opened is None:
            return False
        tenant, session = opened
        return _send(tenant, accounts.find_tenant_user_by_login(session, email))


def _send(tenant: Tenant | None, account: TenantUser | PlatformAdmin | None) -> bool:
    if account is None or not account.email:
        return False
    settings: Settings = current_app.extensions["guyub.settings"]
    token = account_token(settings, tenant.id if tenant else None, account, "reset")
    send_templated(
        account.email,
        _("Set a new password"),
        "password_reset",
        name=account.name,
        link=external_url(tenant, "auth.reset_password", token=token),
        hours=int(settings.reset_token_max_age.total_seconds() // 3600),
    )
    return True
