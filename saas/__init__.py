"""Guyub: one Flask application serving every cooperative from its own schema."""

from __future__ import annotations

from flask import Flask, g

from saas.config import PROJECT_ROOT, Settings, load_settings
from saas.uploads import MAX_REQUEST_BYTES


def create_app(settings: Settings | None = None, *, pages: bool = True) -> Flask:
    """Build the app as an ordered list of named setup steps. Without ``pages``, the app has
    no blueprints (no URL, view or error page): the platform's operations on the command line
    (``saas.cli.OperationsGroup``) use no page, and importing them is most of a start."""
    settings = settings or load_settings()
    app = Flask(
        __name__,
        static_folder=None,  # WhiteNoise serves hashed, compressed assets (saas.assets)
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(settings.instance_dir),
    )
    configure_flask(app, settings)
    init_observability(app, settings)
    init_databases(app, settings)
    init_tenancy(app)
    init_sessions_and_security(app, settings)
    init_i18n(app, settings)
    init_assets(app, settings)
    init_services(app, settings)
    if pages:
        register_blueprints(app)
        register_error_handlers(app)
    register_cli(app)
    return app


def configure_flask(app: Flask, settings: Settings) -> None:
    app.extensions["guyub.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        PREFERRED_URL_SCHEME=settings.preferred_scheme,
        SESSION_COOKIE_NAME="guyub_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_DOMAIN=None,  # host-only: a cookie never crosses to another cooperative
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=settings.session_absolute_timeout,
        REMEMBER_COOKIE_DURATION=0,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session that holds it
        WTF_CSRF_SSL_STRICT=True,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
    )
    if proxies := settings.proxy_fix_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def init_observability(app: Flask, settings: Settings) -> None:
    from saas import observability

    # Tests keep pytest's own log capture; everything else logs JSON lines to stderr.
    observability.init_observability(app, configure=not settings.testing)


def init_databases(app: Flask, settings: Settings) -> None:
    from saas.db import Databases, close_request_sessions

    app.extensions["guyub.databases"] = Databases(settings)
    app.teardown_appcontext(close_request_sessions)


def init_tenancy(app: Flask) -> None:
    from saas.tenants.resolution import resolve_tenant

    app.before_request(resolve_tenant)


def init_sessions_and_security(app: Flask, settings: Settings) -> None:
    from saas.access import enforce_access
    from saas.accounts.identity import load_signed_in_user
    from saas.extensions import csrf, htmx, limiter, login_manager
    from saas.security import add_security_headers, enforce_session_timeouts, reject_nul_bytes

    app.before_request(reject_nul_bytes)
    app.before_request(enforce_session_timeouts)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"  # phones change IP address all the time
    login_manager.user_loader(load_signed_in_user)
    configure_rate_limit_storage(app, settings)
    limiter.init_app(app)
    app.before_request(enforce_access)
    app.after_request(add_security_headers)


def configure_rate_limit_storage(app: Flask, settings: Settings) -> None:
    """Counters every worker shares: Redis when configured, else the platform database."""
    from saas.ratelimit_storage import SCHEME

    uri = settings.ratelimit_storage_uri or f"{SCHEME}://"
    app.config["RATELIMIT_STORAGE_URI"] = uri
    if uri.startswith(f"{SCHEME}:"):
        engine = app.extensions["guyub.databases"].platform_engine
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": engine}


def init_i18n(app: Flask, settings: Settings) -> None:
    from saas.extensions import babel
    from saas.i18n import register_filters, select_locale

    babel.init_app(app, locale_selector=select_locale)
    register_filters(app)

    @app.context_processor
    def tenant_context() -> dict[str, object]:
        return {"current_tenant": g.get("tenant"), "settings": settings}


def init_assets(app: Flask, settings: Settings) -> None:
    from saas.assets import init_assets as build_and_serve
    from saas.extensions import compress

    build_and_serve(app, settings.instance_dir / "static-build")
    # Pages are compressed too (static files are pre-compressed by the asset build).
    app.config.update(
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/plain",
            "text/csv",
            "text/xml",
            "application/xml",
            "application/json",
            "image/svg+xml",
        ],
        COMPRESS_MIN_SIZE=500,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_LEVEL=6,
        COMPRESS_BR_LEVEL=5,
    )
    compress.init_app(app)


def init_services(app: Flask, settings: Settings) -> None:
    from saas.billing.stripe_gateway import gateway_from_settings
    from saas.blueprints.site.page_cache import make_store
    from saas.mail import make_mailer
    from saas.storage import LocalStorage
    from saas.tenants.domains import http_fetch
    from saas.tenants.resolution import KnownTenants

    app.extensions["guyub.mailer"] = make_mailer(settings)
    app.extensions["guyub.storage"] = LocalStorage(settings.instance_dir / "uploads")
    app.extensions["guyub.pages"] = make_store(settings.redis_url)  # public pages, kept whole
    app.extensions["guyub.known_tenants"] = KnownTenants()  # resolved hosts, with row versions
    app.extensions["guyub.billing"] = gateway_from_settings(
        settings.stripe_api_key, settings.stripe_webhook_secret, settings.stripe_api_base
    )
    # How a cooperative's own address is asked for its check (over HTTP, to the address).
    app.extensions["guyub.domain_fetch"] = http_fetch(settings.domain_check_address or None)


def register_blueprints(app: Flask) -> None:
    from saas.blueprints import register_all

    register_all(app)


def register_error_handlers(app: Flask) -> None:
    from saas.blueprints.errors import register_error_handlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from saas.cli import register_commands

    register_commands(app)
