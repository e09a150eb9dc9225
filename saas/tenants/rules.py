"""Pure rules about tenants: slugs and host names. No Flask, no database."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")

# Mailbox names of RFC 2142: a cooperative at abuse.<domain> could receive mail meant for us.
MAILBOX_NAMES = frozenset(
    {
        "info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
        "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
    }
)  # fmt: skip

# Host names that mail clients, browsers and certificate authorities look up on their own
# (autodiscover, wpad, mta-sts...), or that people expect to be the operator's services.
SERVICE_NAMES = frozenset(
    {
        "autodiscover", "autoconfig", "mta-sts", "tls-rpt", "wpad", "isatap", "sso", "cpanel",
        "whm", "webdisk", "webmail", "cpcalendars", "cpcontacts", "plesk", "lyncdiscover",
        "sip", "enterpriseregistration", "enterpriseenrollment", "msoid", "owa", "exchange",
        "mail", "email", "smtp", "smtps", "imap", "imaps", "pop", "pop3", "pop3s", "mx",
        "dns", "ns", *(f"ns{n}" for n in range(1, 10)), "ntp", "ldap", "vpn", "proxy",
        "gateway", "ftps", "sftp", "ssh", "git", "ci", "cdn", "static", "assets", "media",
        "img", "images", "files", "upload", "uploads", "storage", "backup", "db", "database",
        "api", "app", "apps", "auth", "oauth", "openid", "login", "signin", "signup",
        "register", "account", "accounts", "id", "identity", "secure", "portal", "admin",
        "administrator", "root", "system", "sysadmin", "help", "status", "docs", "blog",
        "wiki", "forum", "dev", "test", "testing", "staging", "stage", "demo-admin",
        "sandbox", "preview", "internal", "intranet", "localhost", "local",
        "healthz", "metrics", "monitor", "monitoring", "billing", "pay", "payment",
        "payments", "invoice", "stripe", "public", "private", "calendar", "caldav",
        "carddav", "dav",
    }
)  # fmt: skip

# The platform's own names, its operator's, and the programme's: nobody may pose as them.
PLATFORM_NAMES = frozenset(
    {
        "guyub", "platform", "kode", "kodeindonesia", "kode-indonesia", "koperasi", "kopdes",
        "kdmp", "kkmp", "merahputih", "merah-putih", "simkopdes", "microsite", "kemenkop",
        "dinas", "pendamping", "pmo", "nasional", "national", "dashboard", "dasbor", "daftar",
        "masuk", "keluar", "kelola", "bantuan", "direktori", "verifikasi", "tenant", "tenants",
        "schema", "pool",
    }
)  # fmt: skip

RESERVED_SLUGS = MAILBOX_NAMES | SERVICE_NAMES | PLATFORM_NAMES


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
