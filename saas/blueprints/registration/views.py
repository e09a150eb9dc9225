"""Self-registration on the platform site: village, cooperative, founding officer.

Every step is a plain form post saved at once; htmx only refreshes the region lists, the village
search and the web-address check in place. The visitor's session remembers the registration, so
the wizard resumes where it stopped.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from htmx_flask import request as htmx_request
from werkzeug.wrappers import Response

from saas.access import Scope, public
from saas.accounts.models import TenantUser
from saas.accounts.roles import Role
from saas.accounts.tokens import TokenExpired, TokenInvalid, make_token, read_token
from saas.blueprints.admin.forms import SLUG_MESSAGES
from saas.blueprints.auth.views import handoff_payload
from saas.blueprints.links import external_url, tenant_base_url
from saas.blueprints.ratelimits import signup_limits
from saas.blueprints.registration.forms import CooperativeForm, OfficerForm
from saas.db import get_databases, platform_db
from saas.mail import send_templated
from saas.onboarding import operations as onboarding
from saas.onboarding.models import Registration
from saas.onboarding.rules import suggest_cooperative_name
from saas.regions import queries as regions
from saas.security import forget_registration, remember_registration, remembered_registration
from saas.tenants.models import Tenant
from saas.tenants.provisioning import ProvisioningError, is_slug_taken
from saas.tenants.rules import SlugError, check_slug, normalise_slug, suggest_slug

bp = Blueprint("registration", __name__, url_prefix="/daftar")

CONFIRM_MAX_AGE = 7 * 24 * 3600


def current_registration() -> Registration | None:
    return onboarding.get_registration(platform_db(), remembered_registration())


def registration_or_start() -> Response | Registration:
    registration = current_registration()
    if registration is None:
        return redirect(url_for("registration.region"))
    return registration


@bp.route("", methods=["GET", "POST"])
@public(Scope.PLATFORM)
def region() -> Response | str | tuple[str, int]:
    """Step 1: the village, picked province → kabupaten/kota → kecamatan, or searched by name."""
    registration = current_registration()
    picked = picked_codes(registration)
    error = None
    if request.method == "POST":
        village = regions.get_region(platform_db(), request.form.get("village", ""))
        if village is None or village.level != 4:
            error = _("Choose your village or kelurahan from the list.")
        else:
            if registration is None:
                registration = onboarding.start_registration(platform_db())
                remember_registration(registration.public_id)
            onboarding.save_region(platform_db(), registration, village.code)
            platform_db().commit()
            return redirect(url_for("registration.cooperative"))
    context = region_context(picked, request.values.get("q", "").strip()[:60])
    template = (
        "registration/_region_picker.html" if htmx_request.htmx else "registration/region.html"
    )
    status = 422 if error else 200
    return render_template(template, error=error, registration=registration, **context), status


def picked_codes(registration: Registration | None) -> list[str]:
    """The chosen province, kabupaten and kecamatan codes, each inside the one before."""
    saved = registration.region_code if registration and registration.region_code else ""
    parts = saved.split(".")
    defaults = [".".join(parts[:n]) for n in (1, 2, 3)] if saved else ["", "", ""]
    chosen: list[str] = []
    for level, name in enumerate(("provinsi", "kabupaten", "kecamatan")):
        code = request.values.get(name, defaults[level] if not request.values else "")
        if not code or (chosen and not code.startswith(chosen[-1] + ".")):
            break
        chosen.append(code)
    return chosen


def region_context(picked: list[str], query: str) -> dict[str, object]:
    session = platform_db()
    lists = [regions.list_children(session, None)]
    for code in picked:
        lists.append(regions.list_children(session, code))
    villages = lists[3] if len(picked) == 3 else []
    found = []
    if len(query) >= 3:
        found = regions.search_villages(session, query, within=picked[-1] if picked else None)
    paths = regions.get_paths(session, [village.code for village in found])
    return {
        "provinces": lists[0],
        "regencies": lists[1] if len(lists) > 1 else [],
        "districts": lists[2] if len(lists) > 2 else [],
        "villages": villages,
        "picked": picked + [""] * (3 - len(picked)),
        "query": query,
        "found": [(village, regions.village_label(paths[village.code])) for village in found],
    }


@bp.route("/koperasi", methods=["GET", "POST"])
@public(Scope.PLATFORM)
def cooperative() -> Response | str | tuple[str, int]:
    """Step 2: the cooperative's name, web address and legal identifiers."""
    registration = registration_or_start()
    if isinstance(registration, Response):
        return registration
    if registration.tenant_id is not None:
        forget_registration()
        return redirect(url_for("registration.region"))
    village = regions.get_region(platform_db(), registration.region_code or "")
    form = CooperativeForm(obj=registration)
    if not form.is_submitted() and not registration.cooperative_name and village is not None:
        form.name.data = suggest_cooperative_name(village.name, village.kind)
        form.slug.data = suggest_slug(village.name)
    if request.method == "GET" and registration.cooperative_name:
        form.name.data = registration.cooperative_name
    if form.validate_on_submit():
        try:
            onboarding.save_cooperative(
                platform_db(),
                registration,
                onboarding.CooperativeDetails(
                    name=form.name.data or "",
                    slug=form.slug.data or "",
                    sk_ahu_number=form.sk_ahu_number.data or "",
                    sk_ahu_date=form.sk_ahu_date.data,
                    npwp=form.npwp.data or "",
                    nib=form.nib.data or "",
                    nik_koperasi=form.nik_koperasi.data or None,
                ),
            )
        except SlugError as exc:
            form.slug.errors = [str(SLUG_MESSAGES[exc.code])]
        else:
            platform_db().commit()
            return redirect(url_for("registration.officer"))
    status = 422 if form.errors else 200
    return render_template(
        "registration/cooperative.html", form=form, registration=registration, village=village
    ), status


@bp.route("/cek-alamat")
@public(Scope.PLATFORM)
def check_address() -> str:
    """htmx: whether a web address can be used, as the visitor types it."""
    slug = normalise_slug(request.args.get("slug", ""))
    try:
        check_slug(slug)
        if is_slug_taken(platform_db(), slug):
            raise SlugError("taken")
    except SlugError as exc:
        return render_template(
            "registration/_address.html", slug=slug, problem=SLUG_MESSAGES[exc.code]
        )
    return render_template("registration/_address.html", slug=slug, problem=None)


@bp.route("/pengurus", methods=["GET", "POST"])
@public(Scope.PLATFORM)
@signup_limits
def officer() -> Response | str | tuple[str, int]:
    """Step 3: the founding officer; finishing provisions the cooperative at once."""
    registration = registration_or_start()
    if isinstance(registration, Response):
        return registration
    if registration.step < 2:
        return redirect(url_for("registration.cooperative"))
    form = OfficerForm()
    form.personal_words = (request.form.get("name", ""), request.form.get("email", ""))
    if form.validate_on_submit():
        details = onboarding.OfficerDetails(
            name=form.name.data or "",
            role=Role(form.role.data),
            email=form.email.data or "",
            phone=form.phone.data or "",
            password=form.password.data or "",
            locale=str(get_locale()),
        )
        try:
            tenant, user = onboarding.finish_registration(
                get_databases(),
                current_app.extensions["guyub.settings"],
                platform_db(),
                registration,
                details,
            )
        except SlugError:
            flash(_("Someone took that web address a moment ago. Choose another one."), "error")
            return redirect(url_for("registration.cooperative"))
        except ProvisioningError:
            flash(_("Your cooperative could not be set up. Nothing was saved; try again."), "error")
            return render_template(
                "registration/officer.html", form=form, registration=registration
            ), 503
        platform_db().commit()  # the registration is finished and unlocked
        send_confirmation(registration)
        forget_registration()
        return redirect(handoff_url(tenant, user))
    status = 422 if form.errors else 200
    return render_template(
        "registration/officer.html", form=form, registration=registration
    ), status


def send_confirmation(registration: Registration) -> None:
    settings = current_app.extensions["guyub.settings"]
    assert registration.officer_email is not None
    token = make_token(
        settings.secret_key,
        "confirm-email",
        {"rid": registration.public_id, "email": registration.officer_email},
    )
    send_templated(
        registration.officer_email,
        _("Confirm your email for %(cooperative)s", cooperative=registration.cooperative_name),
        "confirm_email",
        name=registration.officer_name,
        cooperative=registration.cooperative_name,
        link=external_url(None, "registration.confirm_email", token=token),
    )


@bp.route("/konfirmasi/<token>")
@public(Scope.PLATFORM)
def confirm_email(token: str) -> str | tuple[str, int]:
    settings = current_app.extensions["guyub.settings"]
    try:
        payload = read_token(settings.secret_key, "confirm-email", token, CONFIRM_MAX_AGE)
    except TokenExpired:
        return render_template("auth/link_problem.html", problem="expired"), 410
    except TokenInvalid:
        return render_template("auth/link_problem.html", problem="invalid"), 404
    registration = onboarding.get_registration(platform_db(), str(payload.get("rid", "")))
    if registration is None or not onboarding.confirm_email(
        platform_db(), registration, str(payload.get("email", ""))
    ):
        return render_template("auth/link_problem.html", problem="invalid"), 404
    platform_db().commit()
    tenant = onboarding.get_tenant_of(platform_db(), registration)
    return render_template(
        "registration/confirmed.html",
        registration=registration,
        tenant=tenant,
        tenant_url=tenant_base_url(tenant.slug) if tenant else None,
    )


def handoff_url(tenant: Tenant, user: TenantUser) -> str:
    """Where the new officer continues: their own subdomain, signed in by a one-time link."""
    settings = current_app.extensions["guyub.settings"]
    token = make_token(settings.secret_key, "handoff", handoff_payload(tenant, user))
    return external_url(tenant, "auth.handoff", token=token)
