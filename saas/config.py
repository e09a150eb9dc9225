"""Typed settings read from the environment, with development defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("GUYUB_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def parse_shards(raw: str, default_url: str) -> dict[str, str]:
    """Parse ``name=url,name=url`` into an ordered mapping; empty means one shard ``main``."""
    if not raw.strip():
        return {"main": default_url}
    shards: dict[str, str] = {}
    for item in raw.split(","):
        name, sep, url = item.strip().partition("=")
        if not sep or not name or not url:
            raise ValueError(f"GUYUB_SHARDS entry {item!r} is not name=url")
        shards[name.strip()] = url.strip()
    return shards


def _secret_key() -> str:
    """The signing key: from the environment, else a per-instance file made on first use."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, resolved once at start-up."""

    database_url: str
    shards: dict[str, str]
    secret_key: str
    base_domain: str = "localhost"
    preferred_scheme: str = "http"
    default_locale: str = "id"
    locales: tuple[str, ...] = ("id", "en")
    mail_backend: str = "console"  # console | smtp
    mail_sender: str = "Guyub <no-reply@guyub.id>"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    ratelimit_storage_uri: str = ""  # empty: the platform database (saas.ratelimit_storage)
    redis_url: str = ""  # empty: public pages are kept by each worker process on its own
    login_failures_allowed: str = "10 per 15 minutes"
    session_idle_timeout: timedelta = timedelta(hours=2)
    session_absolute_timeout: timedelta = timedelta(hours=12)
    reset_token_max_age: timedelta = timedelta(hours=1)
    invitation_max_age: timedelta = timedelta(days=7)
    max_tenants_per_shard: int = 5000
    schema_pool_target: int = 20
    instance_dir: Path = INSTANCE_DIR
    public_port: str = ""  # ":5000" in development, so links made outside a request work
    proxy_fix_hops: int = 0  # how many proxies in front set X-Forwarded-* headers we trust
    # Stripe bills the cooperatives. Without a key billing stays off; an API base other than
    # Stripe's (localstripe, in development and tests) is test mode.
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    # Where a cooperative's own address is asked for its check ("host:port"): empty in
    # production, where the address itself is asked; the development server's in development.
    domain_check_address: str = ""
    testing: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        return self.preferred_scheme == "https"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; keyword overrides win (tests use them)."""
    database_url = os.environ.get("DATABASE_URL", "")
    values: dict[str, object] = {
        "database_url": database_url,
        "shards": parse_shards(os.environ.get("GUYUB_SHARDS", ""), database_url),
        "secret_key": "",
        "base_domain": os.environ.get("BASE_DOMAIN", "localhost").lower(),
        "preferred_scheme": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        "mail_backend": os.environ.get("MAIL_BACKEND", "console"),
        "mail_sender": os.environ.get("MAIL_SENDER", "Guyub <no-reply@guyub.id>"),
        "smtp_host": os.environ.get("SMTP_HOST", "localhost"),
        "smtp_port": _int("SMTP_PORT", 25),
        "smtp_username": os.environ.get("SMTP_USERNAME", ""),
        "smtp_password": os.environ.get("SMTP_PASSWORD", ""),
        "smtp_starttls": _bool("SMTP_STARTTLS", False),
        "ratelimit_storage_uri": os.environ.get("RATELIMIT_STORAGE_URI", ""),
        "redis_url": os.environ.get("REDIS_URL", ""),
        "max_tenants_per_shard": _int("MAX_TENANTS_PER_SHARD", 5000),
        "schema_pool_target": _int("SCHEMA_POOL_TARGET", 20),
        "proxy_fix_hops": _int("PROXY_FIX_HOPS", 0),
        "stripe_api_key": os.environ.get("STRIPE_API_KEY", ""),
        "stripe_webhook_secret": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "stripe_api_base": os.environ.get("STRIPE_API_BASE", ""),
        "domain_check_address": os.environ.get("DOMAIN_CHECK_ADDRESS", ""),
        "public_port": f":{os.environ['PUBLIC_PORT']}" if os.environ.get("PUBLIC_PORT") else "",
    }
    values.update(overrides)
    if not values["secret_key"]:
        values["secret_key"] = _secret_key()
    if "database_url" in overrides and "shards" not in overrides:
        values["shards"] = {"main": str(values["database_url"])}
    if not values["database_url"]:
        raise RuntimeError(
            "DATABASE_URL is not set. `make run` starts an embedded PostgreSQL and sets it."
        )
    return Settings(**values)  # type: ignore[arg-type]
