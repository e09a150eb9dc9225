"""Pure rules about tenants: slugs and host names. No Flask, no database."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")

RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "api",
        "app",
        "static",
        "assets",
        "cdn",
        "mail",
        "email",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "ns1",
        "ns2",
        "dns",
        "mx",
        "webmail",
        "help",
        "support",
        "status",
        "docs",
        "blog",
        "dev",
        "test",
        "staging",
        "demo-admin",
        "dashboard",
        "daftar",
        "register",
        "login",
        "auth",
        "account",
        "accounts",
        "billing",
        "pay",
        "payment",
        "payments",
        "stripe",
        "kode",
        "guyub",
        "platform",
        "root",
        "system",
        "koperasi",
        "simkopdes",
        "microsite",
        "healthz",
        "metrics",
        "internal",
        "localhost",
        "public",
        "tenant",
        "tenants",
    }
)


class SlugError(ValueError):
    """Why a slug cannot be used; ``code`` is one of malformed, reserved, taken."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_slug(raw: str) -> str:
    return raw.strip().lower()


def check_slug(slug: str) -> str:
    """Return the slug if its form is acceptable; raise SlugError otherwise (no DB look-up)."""
    if not SLUG_RE.fullmatch(slug) or "--" in slug:
        raise SlugError("malformed")
    if slug in RESERVED_SLUGS:
        raise SlugError("reserved")
    return slug


def suggest_slug(name: str) -> str:
    """A slug suggestion from a cooperative's name ("Koperasi Desa Merah Putih Sukamaju")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    for prefix in (
        "koperasi desa merah putih ",
        "koperasi kelurahan merah putih ",
        "kdmp ",
        "kkmp ",
    ):
        if ascii_name.startswith(prefix):
            ascii_name = ascii_name[len(prefix) :]
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40].strip("-")
    return slug if len(slug) >= 3 else (slug + "-kop")[:40]


HOST_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


def split_host(raw_host: str) -> str | None:
    """Lower-case the Host header and drop the port; None when it is not a plausible host."""
    host = raw_host.strip().lower()
    if host.startswith("["):
        return None  # IPv6 literals never name a tenant
    host = host.rsplit(":", 1)[0] if ":" in host else host
    host = host.rstrip(".")
    if not HOST_RE.fullmatch(host) or ".." in host:
        return None
    return host


def subdomain_label(host: str, base_domain: str) -> str | None:
    """``demo`` for ``demo.<base_domain>``; None for the base domain itself or other hosts."""
    suffix = "." + base_domain
    if host.endswith(suffix):
        label = host[: -len(suffix)]
        return label if label and "." not in label else None
    return None
