"""KODE Indonesia's verification desk: the queue, the review, decisions and withdrawals."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from saas.access import admin_view
from saas.blueprints.admin.views import bp
from saas.blueprints.forms import Form
from saas.blueprints.links import tenant_base_url
from saas.blueprints.profile.documents import DOCUMENT_LABELS
from saas.blueprints.profile.forms import STATUS_LABELS, ProfileForm
from saas.blueprints.registration.forms import LegalIdentifiersForm
from saas.db import get_databases, platform_db
from saas.mail import send_templated
from saas.onboarding.operations import find_registration_of_tenant
from saas.regions import queries as regions
from saas.storage import Storage
from saas.tenants.models import Tenant
from saas.verification import operations as verification
from saas.verification import queries
from saas.verification.models import Application, VerificationStatus
from saas.verification.rules import REVIEW_ITEMS, Verdict, can_approve, content_fingerprint

ITEM_LABELS: dict[str, Any] = {
    "profile": _l("Profile"),
    "legal": _l("Legal identifiers"),
    "board": _l("Officers and supervisors"),
    "units": _l("Business units"),
    **{kind.value: label for kind, label in DOCUMENT_LABELS.items()},
}
DECISION_ERRORS = {
    "stale": _l("The cooperative changed its application after you opened it. Review it again."),
    "not_claimed": _l("Claim the application before deciding on it."),
    "not_in_review": _l("This application is not waiting for a decision."),
    "not_all_ok": _l("Mark every item OK to approve, or return the application."),
    "not_all_judged": _l("Give a verdict on every item before deciding."),
    "needs_notes": _l("Say what needs fixing: mark the items and write a note."),
    "not_verified": _l("Only a verified cooperative can have its verification withdrawn."),
}


class ReviewForm(Form):
    version = HiddenField()
    fingerprint = HiddenField()
    notes = TextAreaField(
        _l("Notes for the cooperative"), validators=[Optional(), Length(max=4000)]
    )


for _item in REVIEW_ITEMS:
    setattr(
        ReviewForm,
        f"verdict_{_item}",
        RadioField(
            ITEM_LABELS[_item],
            choices=[
                # Lazy labels: the choices are built once, the language is the request's.
                SelectChoice("ok", _l("OK")),
                SelectChoice("fix", _l("Needs fixing")),
            ],
            # No default: each item is judged by a click, so nothing is approved unseen.
            validators=[InputRequired(message=_l("Choose OK or Needs fixing for this item."))],
        ),
    )
    setattr(
        ReviewForm,
        f"note_{_item}",
        StringField(_l("Note"), validators=[Optional(), Length(max=500)]),
    )


def field_labels() -> dict[str, str]:
    """The labels the officers see on their own forms, for the fields the reviewer reads."""
    labels: dict[str, str] = {}
    for form_class in (ProfileForm, LegalIdentifiersForm):
        form = form_class(formdata=None, meta={"csrf": False})
        labels |= {field.name: str(field.label.text) for field in form}
    return labels


def _application_or_404(application_id: int) -> tuple[Application, Tenant]:
    application = queries.get_application_for_admin(platform_db(), application_id)
    if application is None:
        abort(404)
    tenant = platform_db().get(Tenant, application.tenant_id)
    assert tenant is not None
    return application, tenant


@bp.route("/verifikasi")
@admin_view()
def verification_queue() -> str:
    province = request.args.get("provinsi", "")
    regency = request.args.get("kabupaten", "")
    if regency and not regency.startswith(province + "."):
        regency = ""
    status = request.args.get("status", "")
    statuses = (
        (VerificationStatus(status),)
        if status in set(VerificationStatus)
        else (VerificationStatus.SUBMITTED, VerificationStatus.IN_REVIEW)
    )
    days = request.args.get("menunggu", type=int)
    rows = queries.list_queue(
        platform_db(),
        statuses=statuses,
        region_prefix=regency or province or None,
        waiting_more_than_days=days if days and days > 0 else None,
    )
    return render_template(
        "admin/verification_queue.html",
        rows=rows,
        provinces=regions.list_children(platform_db(), None),
        regencies=regions.list_children(platform_db(), province) if province else [],
        province=province,
        regency=regency,
        status=status,
        days=days,
        statuses=list(VerificationStatus),
    )


@bp.route("/verifikasi/<int:application_id>")
@admin_view()
def review(application_id: int) -> str:
    application, tenant = _application_or_404(application_id)
    content = queries.load_review_content(get_databases(), tenant)
    form = ReviewForm(version=application.version, fingerprint=content_fingerprint(content))
    return render_review(application, tenant, content, form)


def render_review(
    application: Application, tenant: Tenant, content: dict[str, Any], form: ReviewForm
) -> str:
    path = regions.get_path(platform_db(), tenant.region_code or "")
    return render_template(
        "admin/review.html",
        application=application,
        tenant=tenant,
        content=content,
        form=form,
        village=regions.village_label(path) if path else None,
        events=queries.list_events(platform_db(), application.id),
        items=REVIEW_ITEMS,
        labels=ITEM_LABELS,
        field_labels=field_labels(),
        unit_status_labels=STATUS_LABELS,
        registration=find_registration_of_tenant(platform_db(), tenant.id),
    )


@bp.route("/verifikasi/<int:application_id>/klaim", methods=["POST"])
@admin_view()
def claim(application_id: int) -> Response:
    try:
        verification.claim_review(platform_db(), application_id, current_user.record)
    except verification.VerificationError as exc:
        if exc.code == "claimed":
            flash(_("%(name)s is reviewing this application.", name=exc.who or "?"), "error")
        else:
            flash(str(DECISION_ERRORS[exc.code]), "error")
    except LookupError:
        abort(404)
    else:
        platform_db().commit()
    return redirect(url_for("admin.review", application_id=application_id))


@bp.route("/verifikasi/<int:application_id>/putuskan", methods=["POST"])
@admin_view()
def decide(application_id: int) -> Response | tuple[str, int]:
    application, tenant = _application_or_404(application_id)
    form = ReviewForm()
    content = queries.load_review_content(get_databases(), tenant)
    if not form.validate_on_submit():
        return render_review(application, tenant, content, form), 422
    verdicts = read_verdicts(form)
    action = request.form.get("action")
    if action == "edit":  # back from the confirmation, with the verdicts as they were
        return render_review(application, tenant, content, form), 200
    approve = action == "approve"
    if approve and request.form.get("confirmed") != "yes":
        return ask_to_confirm(application, tenant, content, form, verdicts)
    try:
        verification.decide(
            platform_db(),
            application_id,
            current_user.record,
            approve=approve,
            verdicts=verdicts,
            notes=compose_notes(form.notes.data or "", verdicts),
            seen_version=int(form.version.data or 0),
            seen_fingerprint=form.fingerprint.data or "",
            content=content,
        )
    except verification.VerificationError as exc:
        flash(str(DECISION_ERRORS[exc.code]), "error")
        status = 409 if exc.code == "stale" else 422
        return render_review(application, tenant, content, form), status
    platform_db().commit()  # the officer hears of a decision that is kept
    notify_officer(tenant, approved=approve)
    flash(_("Decision saved and the cooperative notified."), "success")
    return redirect(url_for("admin.verification_queue"))


def read_verdicts(form: ReviewForm) -> dict[str, Verdict]:
    """The reviewer's verdict and note on each item, from a validated form."""
    return {
        item: Verdict(
            ok=getattr(form, f"verdict_{item}").data == "ok",
            note=getattr(form, f"note_{item}").data or "",
        )
        for item in REVIEW_ITEMS
    }


def ask_to_confirm(
    application: Application,
    tenant: Tenant,
    content: dict[str, Any],
    form: ReviewForm,
    verdicts: dict[str, Verdict],
) -> tuple[str, int]:
    """The second page of an approval; nothing is written until it is confirmed."""
    if not can_approve(verdicts):
        flash(str(DECISION_ERRORS["not_all_ok"]), "error")
        return render_review(application, tenant, content, form), 422
    page = render_template(
        "admin/confirm_approval.html",
        application=application,
        tenant=tenant,
        form=form,
        items=REVIEW_ITEMS,
        labels=ITEM_LABELS,
    )
    return page, 200


def compose_notes(general: str, verdicts: dict[str, Verdict]) -> str:
    """The general note followed by one line per item that needs fixing."""
    lines = [general.strip()] if general.strip() else []
    for item, verdict in verdicts.items():
        if not verdict.ok:
            detail = f": {verdict.note.strip()}" if verdict.note.strip() else ""
            lines.append(f"- {ITEM_LABELS[item]}{detail}")
    return "\n".join(lines)


def notify_officer(tenant: Tenant, *, approved: bool) -> None:
    registration = find_registration_of_tenant(platform_db(), tenant.id)
    if registration is None or not registration.officer_email:
        return
    application = verification.get_application_of_tenant(platform_db(), tenant.id)
    send_templated(
        registration.officer_email,
        _("%(cooperative)s is verified", cooperative=tenant.display_name)
        if approved
        else _("%(cooperative)s: please fix a few things", cooperative=tenant.display_name),
        "verification_decision",
        name=registration.officer_name,
        cooperative=tenant.display_name,
        approved=approved,
        notes=application.last_notes if application else None,
        link=tenant_base_url(tenant.slug) + url_for("profile.checklist"),
    )


@bp.route("/verifikasi/<int:application_id>/cabut", methods=["POST"])
@admin_view()
def withdraw(application_id: int) -> Response:
    try:
        verification.withdraw_verification(
            platform_db(),
            application_id,
            current_user.record,
            revoke=request.form.get("action") == "revoke",
            reason=request.form.get("reason", "")[:2000],
        )
    except verification.VerificationError as exc:
        flash(str(DECISION_ERRORS[exc.code]), "error")
    except LookupError:
        abort(404)
    else:
        platform_db().commit()
        flash(_("The verification was withdrawn."), "success")
    return redirect(url_for("admin.review", application_id=application_id))


@bp.route("/verifikasi/<int:application_id>/dokumen/<kind>")
@admin_view()
def review_document(application_id: int, kind: str) -> Response:
    """A document of the application's cooperative, for the reviewer."""
    _application, tenant = _application_or_404(application_id)
    document = queries.load_review_content(get_databases(), tenant)["documents"].get(kind)
    if document is None:
        abort(404)
    storage: Storage = current_app.extensions["guyub.storage"]
    response = current_app.response_class(storage.read(document["key"]), mimetype=document["type"])
    disposition = "attachment" if document["type"] == "application/pdf" else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{kind}.{document["key"].rsplit(".", 1)[1]}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response
