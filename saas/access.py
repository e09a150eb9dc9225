"""Every view declares who may use it and on which kind of host; the check runs centrally.

A view without a declaration refuses to serve (and the test suite lists it), so nothing is
reachable by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from saas.accounts.roles import Permission

F = TypeVar("F", bound=Callable[..., Any])


class Scope(enum.StrEnum):
    PLATFORM = "platform"  # the bare BASE_DOMAIN: landing, registration, admin
    TENANT = "tenant"  # a cooperative's host
    ANY = "any"


@dataclass(frozen=True)
class Access:
    scope: Scope
    login: bool = False
    permission: Permission | None = None
    platform_admin: bool = False


def _declare(access: Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.access = access  # type: ignore[attr-defined]
        return view

    return decorate


def public(scope: Scope = Scope.ANY) -> Callable[[F], F]:
    """Anyone may use the view, signed in or not."""
    return _declare(Access(scope=scope))


def tenant_view(permission: Permission) -> Callable[[F], F]:
    """A signed-in user of this cooperative whose role holds ``permission``."""
    return _declare(Access(scope=Scope.TENANT, login=True, permission=permission))


def signed_in(scope: Scope = Scope.ANY) -> Callable[[F], F]:
    """Any signed-in user of the host (tenant user on a tenant host, admin on the platform)."""
    return _declare(Access(scope=scope, login=True))


def admin_view() -> Callable[[F], F]:
    """A platform admin on the platform host."""
    return _declare(Access(scope=Scope.PLATFORM, login=True, platform_admin=True))


def view_access(endpoint: str | None) -> Access | None:
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access() -> Response | None:
    """before_request: host scope, sign-in and permission, in that order."""
    if request.endpoint is None:
        return None  # 404/405 handled by routing
    access = view_access(request.endpoint)
    if access is None:
        raise RuntimeError(f"view {request.endpoint!r} declares no access rule")
    on_tenant = g.get("tenant") is not None
    if (access.scope == Scope.PLATFORM and on_tenant) or (
        access.scope == Scope.TENANT and not on_tenant
    ):
        abort(404)
    if not access.login:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if access.platform_admin and not current_user.is_platform_admin:
        abort(403)
    if access.permission is not None and not current_user.can(access.permission):
        abort(403)
    return None
