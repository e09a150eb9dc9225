"""Officers keep the cooperative's profile, board and business units, from their phone."""

from __future__ import annotations

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import Field

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.profile.forms import (
    DOCUMENT_LABELS,
    POSITION_LABELS,
    STATUS_LABELS,
    UNIT_LABELS,
    UPLOAD_MESSAGES,
    BoardMemberForm,
    ProfileForm,
    UnitForm,
)
from saas.blueprints.registration.forms import LegalIdentifiersForm
from saas.blueprints.summary import refresh_summary_after_change
from saas.db import platform_db, tenant_db
from saas.documents.operations import list_current_documents
from saas.microsite import operations as microsite
from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    CooperativeProfile,
    Position,
    Product,
    UnitKind,
    UnitStatus,
)
from saas.microsite.rules import (
    MANDATED_UNITS,
    ChecklistItem,
    board_warnings,
    completeness,
    profile_checklist,
)
from saas.onboarding.models import Registration
from saas.onboarding.operations import find_registration_of_tenant
from saas.storage import Storage
from saas.uploads import MAX_UPLOAD_BYTES, CheckedFile, UploadRejected, check_upload
from saas.verification import operations as verification
from saas.verification.models import Application
from saas.verification.queries import ReturnedItem, find_returned_items, read_review_content
from saas.verification.rules import DOCUMENT_ITEMS, item_fingerprints, unchanged_items

bp = Blueprint("profile", __name__, url_prefix="/kelola")

PHOTO_ONLY = _l("Choose a JPEG or PNG photo.")
SUBMIT_ERRORS = {
    "incomplete": _l("Complete every item of the checklist first."),
    "already_open": _l("Your cooperative is already waiting for verification."),
    "approved": _l("Your cooperative is already verified."),
    "unchanged": _l("Fix every item KODE Indonesia returned before you submit again."),
}


@bp.context_processor
def labels() -> dict[str, object]:
    return {
        "POSITION_LABELS": POSITION_LABELS,
        "UNIT_LABELS": UNIT_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
    }


bp.after_request(refresh_summary_after_change)


@bp.app_template_global("position_label")
@bp.app_template_filter("position_label")
def position_label(position: str) -> str:
    return str(POSITION_LABELS[Position(position)])


def read_photo(field: Field, upload: FileStorage | None = None) -> CheckedFile | None:
    """The checked image from a photo field (or one of its uploads); None when none was chosen
    or it was refused (then the field carries the reason)."""
    upload = upload if upload is not None else field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return check_upload(
            upload.read(MAX_UPLOAD_BYTES + 1), allow_pdf=False, max_side=microsite.PHOTO_SIDE
        )
    except UploadRejected as exc:
        message = PHOTO_ONLY if exc.code == "unknown_type" else UPLOAD_MESSAGES[exc.code]
        field.errors = [str(message)]
        return None


def public_storage() -> Storage:
    storage: Storage = current_app.extensions["guyub.storage"]
    return storage


def store_photo(
    row: CooperativeProfile | BoardMember | BusinessUnit | Product, photo: CheckedFile | None
) -> list[str]:
    """Set the row's photo, if one came; the image it replaces, to delete after the commit."""
    if photo is None:
        return []
    replaced = microsite.set_photo(
        tenant_db(), public_storage(), row, photo, schema_name=g.tenant.schema_name
    )
    return [replaced] if replaced else []


def commit_and_delete(keys: list[str]) -> None:
    """Commit the request's change, then delete the images it no longer uses (a change that
    fails to commit keeps them)."""
    tenant_db().commit()
    microsite.delete_public_images(public_storage(), keys)


@bp.route("/kelengkapan")
@tenant_view(Permission.OFFICER_AREA)
def checklist() -> str:
    """What verification still needs, with a link to fix each item."""
    registration = find_registration_of_tenant(platform_db(), g.tenant.id)
    items = checklist_items(registration)
    application = verification.get_application_of_tenant(platform_db(), g.tenant.id)
    returned, unchanged = returned_items(application)
    return render_template(
        "profile/checklist.html",
        items=items,
        score=completeness(items),
        registration=registration,
        application=application,
        returned=returned,
        unchanged=unchanged,
        sent_back={"documents" if code in DOCUMENT_ITEMS else code for code in unchanged},
        returned_labels=returned_item_labels(),
    )


def returned_items(
    application: Application | None,
) -> tuple[dict[str, ReturnedItem], list[str]]:
    """What the last return flagged, and which of those items are still unchanged."""
    returned = find_returned_items(platform_db(), application)
    if not returned:
        return {}, []
    current = item_fingerprints(read_review_content(tenant_db()))
    return returned, unchanged_items({k: r.fingerprint for k, r in returned.items()}, current)


def returned_item_labels() -> dict[str, object]:
    """How the checklist names each item a reviewer can return."""
    return {
        "profile": _l("Vision, mission, address, map pin and WhatsApp"),
        "legal": _l("SK AHU, NPWP and NIB"),
        "board": _l("The five officers and the chair of the supervisors"),
        "units": _l("Business units"),
        **{kind.value: label for kind, label in DOCUMENT_LABELS.items()},
    }


def checklist_items(registration: Registration | None) -> list[ChecklistItem]:
    return profile_checklist(
        microsite.get_profile(tenant_db()),
        microsite.list_board(tenant_db()),
        microsite.list_units(tenant_db()),
        document_kinds={str(kind) for kind in list_current_documents(tenant_db())},
        email_confirmed=bool(registration and registration.email_confirmed_at),
    )


@bp.route("/profil", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_profile() -> Response | str | tuple[str, int]:
    profile = microsite.get_profile(tenant_db())
    form = ProfileForm(obj=profile)
    if form.validate_on_submit() and (
        (logo := read_photo(form.logo)) is not None or not form.logo.errors
    ):
        saved = microsite.save_profile(
            tenant_db(),
            vision=form.vision.data or None,
            mission=form.mission.data or None,
            village_potential=form.village_potential.data or None,
            address=form.address.data or None,
            postal_code=form.postal_code.data or None,
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            phone=form.phone.data,
            whatsapp=form.whatsapp.data,
            email=(form.email.data or "").lower() or None,
        )
        commit_and_delete(store_photo(saved, logo))
        flash(_("Profile saved."), "success")
        return redirect(url_for("profile.checklist"))
    return render_template("profile/profile.html", form=form, profile=profile), (
        422 if form.errors else 200
    )


@bp.route("/legalitas", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_legal() -> Response | str | tuple[str, int]:
    form = LegalIdentifiersForm(obj=microsite.get_profile(tenant_db()))
    if form.validate_on_submit():
        microsite.save_legal_identifiers(
            tenant_db(),
            microsite.LegalIdentifiers(
                sk_ahu_number=form.sk_ahu_number.data,
                sk_ahu_date=form.sk_ahu_date.data,
                npwp=form.npwp.data,
                nib=form.nib.data,
                nik_koperasi=form.nik_koperasi.data or None,
            ),
        )
        tenant_db().commit()
        flash(_("Legal identifiers saved."), "success")
        return redirect(url_for("profile.checklist"))
    return render_template("profile/legal.html", form=form), 422 if form.errors else 200


@bp.route("/pengurus")
@tenant_view(Permission.OFFICER_AREA)
def board() -> str:
    members = microsite.list_board(tenant_db())
    return render_template("profile/board.html", members=members, warnings=board_warnings(members))


@bp.route("/pengurus/baru", methods=["GET", "POST"])
@bp.route("/pengurus/<int:member_id>", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_board_member(member_id: int | None = None) -> Response | str | tuple[str, int]:
    member = None
    if member_id is not None:
        member = microsite.get_board_member_for_tenant(tenant_db(), member_id)
        if member is None:
            abort(404)
    form = BoardMemberForm(obj=member, position=request.args.get("jabatan") or None)
    if form.validate_on_submit() and (
        (photo := read_photo(form.photo)) is not None or not form.photo.errors
    ):
        saved = microsite.save_board_member(
            tenant_db(),
            member,
            position=Position(form.position.data),
            name=form.name.data or "",
            phone=form.phone.data,
            is_village_official=bool(form.is_village_official.data),
            is_related_to_board=bool(form.is_related_to_board.data),
        )
        commit_and_delete(store_photo(saved, photo))
        flash(_("Saved."), "success")
        return redirect(url_for("profile.board"))
    status = 422 if form.errors else 200
    return render_template("profile/board_member.html", form=form, member=member), status


@bp.route("/pengurus/<int:member_id>/hapus", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def remove_board_member(member_id: int) -> Response:
    member = microsite.get_board_member_for_tenant(tenant_db(), member_id)
    if member is None:
        abort(404)
    commit_and_delete(microsite.remove_board_member(tenant_db(), member))
    flash(_("Removed from the board."), "success")
    return redirect(url_for("profile.board"))


@bp.route("/unit")
@tenant_view(Permission.OFFICER_AREA)
def units() -> str:
    existing = microsite.list_units(tenant_db())
    missing = [kind for kind in MANDATED_UNITS if kind not in {u.kind for u in existing}]
    return render_template("profile/units.html", units=existing, missing=missing)


@bp.route("/unit/baru", methods=["GET", "POST"])
@bp.route("/unit/<int:unit_id>", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def edit_unit(unit_id: int | None = None) -> Response | str | tuple[str, int]:
    unit = None
    if unit_id is not None:
        unit = microsite.get_unit_for_tenant(tenant_db(), unit_id)
        if unit is None:
            abort(404)
    kind = request.args.get("jenis", "")
    defaults = {}
    if unit is None and kind in {k.value for k in UnitKind}:
        defaults = {"kind": kind, "name": str(UNIT_LABELS[UnitKind(kind)])}
    form = UnitForm(obj=unit, **defaults)
    if form.validate_on_submit() and (
        (photo := read_photo(form.photo)) is not None or not form.photo.errors
    ):
        saved = microsite.save_unit(
            tenant_db(),
            unit,
            kind=UnitKind(form.kind.data),
            name=form.name.data or "",
            status=UnitStatus(form.status.data),
            description=form.description.data or None,
            opening_hours=form.opening_hours.data or None,
        )
        commit_and_delete(store_photo(saved, photo))
        flash(_("Saved."), "success")
        return redirect(url_for("profile.units"))
    return render_template("profile/unit.html", form=form, unit=unit), 422 if form.errors else 200


@bp.route("/unit/<int:unit_id>/hapus", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def remove_unit(unit_id: int) -> Response:
    unit = microsite.get_unit_for_tenant(tenant_db(), unit_id)
    if unit is None:
        abort(404)
    try:
        keys = microsite.remove_unit(tenant_db(), unit)
    except microsite.UnitInUse:
        tenant_db().rollback()
        flash(_("This unit's shop has products or sales, so the unit stays."), "error")
    else:
        commit_and_delete(keys)
        flash(_("Business unit removed."), "success")
    return redirect(url_for("profile.units"))


@bp.route("/ajukan", methods=["POST"])
@tenant_view(Permission.EDIT_PROFILE)
def submit_verification() -> Response:
    """Put the cooperative in KODE Indonesia's verification queue."""
    items = checklist_items(find_registration_of_tenant(platform_db(), g.tenant.id))
    try:
        verification.submit_for_verification(
            platform_db(),
            g.tenant,
            complete=all(item.done for item in items),
            content=read_review_content(tenant_db()),
        )
    except verification.VerificationError as exc:
        flash(str(SUBMIT_ERRORS[exc.code]), "error")
    else:
        platform_db().commit()
        flash(_("Submitted. KODE Indonesia will review your cooperative and email you."), "success")
    return redirect(url_for("profile.checklist"))
