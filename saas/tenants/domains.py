"""A cooperative's own web address (``koperasisukamaju.id``) next to its subdomain.

The chair names the address and points it at the cooperative's subdomain (a CNAME record);
the platform then proves the address reaches it by asking the address itself for a token only
this cooperative's pending domain answers with (``/.well-known/guyub-domain``), and only then
resolves the address to the cooperative. The address is a paid extra: when the plan no longer
covers it, visitors are sent on to the subdomain (never a locked page), and it comes back as
soon as the plan does.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas import clock
from saas.billing import queries as billing_queries
from saas.billing.limits import PlanFeatureError
from saas.tenants.models import DomainKind, Tenant, TenantDomain

CHALLENGE_PATH = "/.well-known/guyub-domain"
# Reserved for documentation, testing and local networks (RFC 2606, 6761, 6762, 8375).
_RESERVED_SUFFIXES = (".localhost", ".local", ".test", ".example", ".invalid", ".internal")

# Indonesia's second-level names under .id: koperasi.desa.id is a registered name, not a subdomain.
_SECOND_LEVEL_ID = {
    "ac",
    "biz",
    "co",
    "desa",
    "go",
    "mil",
    "my",
    "net",
    "or",
    "ponpes",
    "sch",
    "web",
}

# host, path → the body the address answered with, or None when it did not answer 200.
Fetch = Callable[[str, str], str | None]


class DomainError(Exception):
    """A web address refused; ``code`` names the reason for the page's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalize_domain(typed: str, base_domain: str) -> str:
    """The host name in ``typed`` (a bare name, or pasted with ``https://`` and a path), in
    lower case and ASCII (IDNA); DomainError("invalid" | "ours" | "reserved") otherwise."""
    host = typed.strip().lower()
    for scheme in ("https://", "http://"):
        host = host.removeprefix(scheme)
    host = host.split("/", 1)[0].rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainError("invalid") from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_valid_label(label) for label in labels):
        raise DomainError("invalid")
    if labels[-1].isdigit() or _is_ip(host):
        raise DomainError("invalid")
    if host == base_domain or host.endswith("." + base_domain):
        raise DomainError("ours")
    if host.endswith(_RESERVED_SUFFIXES) or host == "localhost":
        raise DomainError("reserved")
    return host


def is_apex(host: str) -> bool:
    """Whether ``host`` is a registered name itself (``kopsukamaju.id``, ``kop.desa.id``),
    where DNS allows no CNAME record, rather than a name under it (``www.kopsukamaju.id``)."""
    labels = host.split(".")
    if len(labels) == 3 and labels[-1] == "id" and labels[-2] in _SECOND_LEVEL_ID:
        return True
    return len(labels) == 2


def _valid_label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and label[0] != "-"
        and label[-1] != "-"
        and all(c.isascii() and (c.isalnum() or c == "-") for c in label)
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def challenge_token(secret_key: str, tenant_id: int, host: str) -> str:
    """What ``host`` must answer at CHALLENGE_PATH for ``tenant_id``: only we can make it."""
    message = f"custom-domain:{tenant_id}:{host}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def custom_domain(session: Session, tenant_id: int) -> TenantDomain | None:
    """The cooperative's own address, verified or waiting."""
    return session.scalar(
        select(TenantDomain).where(
            TenantDomain.tenant_id == tenant_id, TenantDomain.kind == DomainKind.CUSTOM
        )
    )


def domain_by_host(session: Session, host: str, *, verified: bool) -> TenantDomain | None:
    """Some cooperative's own address ``host``, verified or still waiting for its check."""
    checked = (
        TenantDomain.verified_at.is_not(None) if verified else TenantDomain.verified_at.is_(None)
    )
    return session.scalar(
        select(TenantDomain).where(
            TenantDomain.kind == DomainKind.CUSTOM, TenantDomain.host == host, checked
        )
    )


def covered_by_plan(session: Session, tenant_id: int) -> bool:
    return bool(billing_queries.terms_for(session, tenant_id).plan.custom_domain)


def add_custom_domain(session: Session, tenant: Tenant, host: str) -> TenantDomain:
    """Name the cooperative's own address (``host`` normalized), waiting for its check; it
    replaces an address not verified yet. PlanFeatureError without the plan; DomainError
    ("has_one" while a verified address stands, "taken" when another cooperative has it)."""
    if not covered_by_plan(session, tenant.id):
        raise PlanFeatureError("custom_domain")
    current = custom_domain(session, tenant.id)
    if current is not None and current.host == host:
        return current
    if current is not None and current.verified_at is not None:
        raise DomainError("has_one")
    if current is not None:
        session.delete(current)
        session.flush()
    domain = TenantDomain(tenant_id=tenant.id, kind=DomainKind.CUSTOM, host=host)
    session.add(domain)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise DomainError("taken") from None
    return domain


def verify_custom_domain(
    session: Session, domain: TenantDomain, secret_key: str, fetch: Fetch
) -> bool:
    """Ask the address for its token; mark it verified when it answers with ours."""
    if domain.verified_at is not None:
        return True
    answer = fetch(domain.host, CHALLENGE_PATH)
    expected = challenge_token(secret_key, domain.tenant_id, domain.host)
    if answer is None or not hmac.compare_digest(answer.strip(), expected):
        return False
    domain.verified_at = clock.now()
    session.flush()
    return True


def remove_custom_domain(session: Session, tenant_id: int) -> bool:
    """Stop using the cooperative's own address; the subdomain always stays."""
    current = custom_domain(session, tenant_id)
    if current is None:
        return False
    session.delete(current)
    session.flush()
    return True


def http_fetch(connect_to: str | None = None, timeout: float = 5.0) -> Fetch:
    """A Fetch over plain HTTP to the address itself, or to ``connect_to`` ("host:port", where
    a development machine's server listens) with the address as the Host header."""

    def fetch(host: str, path: str) -> str | None:
        address, _, port = (connect_to or host).partition(":")
        connection = http.client.HTTPConnection(address, int(port or 80), timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": host, "User-Agent": "Guyub"})
            response = connection.getresponse()
            body = response.read(1024)
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()
        return body.decode("ascii", "replace") if response.status == 200 else None

    return fetch
