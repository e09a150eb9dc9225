"""The register to and from spreadsheets: export (XLSX, CSV); import with mapping and preview.

An upload is kept in the tenant's private import folder under a random name; the mapping and
preview pages name it, and nothing is written to the register until the officer confirms. The
confirmed import registers every valid row in one transaction: at once for a small file, by a job
worker for a large one, whose progress page polls with htmx (or reloads itself without script).
"""

from __future__ import annotations

import re

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from htmx_flask import request as htmx_request
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.billing.limits import PlanLimitError, check_member_room
from saas.blueprints.billing.limits import current_terms, plan_limit_message
from saas.blueprints.forms import Form
from saas.blueprints.members.forms import NIK_MESSAGES
from saas.blueprints.members.views import bp
from saas.blueprints.profile.documents import storage
from saas.db import platform_db, tenant_db
from saas.members import import_job, transfer
from saas.members import operations as members
from saas.members.import_job import ImportState
from saas.members.operations import MemberError
from saas.savings import operations as savings
from saas.uploads import MAX_UPLOAD_BYTES

ROW_MESSAGES = {
    **{f"nik_{code}": message for code, message in NIK_MESSAGES.items()},
    "nik_registered": _l("A member with this NIK is already registered."),
    "nik_twice": _l("This NIK appears twice in the file."),
    "name_missing": _l("The name is empty."),
    "name_too_long": _l("The name is longer than 120 characters."),
    "phone": _l("Enter an Indonesian mobile number, like 0812 3456 7890."),
    "join_date": _l(
        "The join date is not a date like 2026-11-02 or 02/11/2026, or is in the future."
    ),
}
FILE_MESSAGES = {
    "not_a_sheet": _l("Upload an Excel (.xlsx) or CSV file."),
    "empty": _l("The file has no rows under its header row."),
    "too_many_rows": _l("The file has more than 10,000 rows. Split it into smaller files."),
    "too_large": _l("The file is larger than 5 MB."),
}
FIELD_LABELS = {
    "nik": _l("NIK"),
    "name": _l("Name"),
    "phone": _l("Mobile / WhatsApp number"),
    "address": _l("Address"),
    "village": _l("Village or hamlet"),
    "join_date": _l("Joined on"),
}
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")
IMPORT_ERRORS = {
    "changed": _l(
        "Someone registered one of these members meanwhile, so nothing was imported. "
        "Check the preview again."
    ),
    "error": _l(
        "The import stopped on an error, so nothing was imported. Try again; if it happens "
        "again, tell the Guyub team."
    ),
    "stopped": _l(
        "The import stopped before it finished, so nothing was imported. Check the preview "
        "and import the file again."
    ),
}


class ImportForm(Form):
    file = FileField(
        _l("Excel (.xlsx) or CSV file, one member per row under a header row"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        render_kw={"accept": ".xlsx,.csv,text/csv"},
    )


def _owner() -> str:
    return import_job.import_folder(g.tenant.schema_name)


def _upload_key(name: str) -> str:
    if not UPLOAD_NAME.fullmatch(name):
        abort(404)
    return f"{_owner()}/{name}"


def _load(key: str) -> transfer.Sheet:
    try:
        content = storage().read(key)
    except FileNotFoundError:
        abort(404)
    return transfer.read_sheet(content)


@bp.route("/ekspor.<any(xlsx,csv):fmt>")
@tenant_view(Permission.MANAGE_MEMBERS)
def export(fmt: str) -> Response:
    full_nik = current_user.can(Permission.SEE_SENSITIVE)
    rows = transfer.export_rows(
        members.list_all_members(tenant_db()),
        savings.balances_by_member(tenant_db()),
        full_nik=full_nik,
    )
    body = transfer.to_xlsx(rows) if fmt == "xlsx" else transfer.to_csv(rows)
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = Response(body, mimetype=mimetype)
    filename = f"anggota-{g.tenant.slug}-{clock.today().isoformat()}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/impor", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def import_upload() -> Response | tuple[str, int]:
    form = ImportForm()
    if form.validate_on_submit():
        content = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(content) > MAX_UPLOAD_BYTES:
                raise transfer.UnreadableFile("too_large")
            transfer.read_sheet(content)
        except transfer.UnreadableFile as exc:
            form.file.errors = [str(FILE_MESSAGES[exc.code])]
        else:
            extension = "xlsx" if content[:4] == b"PK\x03\x04" else "csv"
            key = storage().save(_owner(), content, extension)
            return redirect(url_for("members.import_preview", name=key.split("/")[1]))
    return render_template("members/import.html", form=form), 422 if form.errors else 200


@bp.route("/impor/<name>", methods=["GET", "POST"])
@tenant_view(Permission.MANAGE_MEMBERS)
def import_preview(name: str) -> Response | tuple[str, int]:
    """Map the columns, see every row's verdict; ``confirm`` registers the valid rows."""
    key = _upload_key(name)
    started = import_job.read_progress(storage(), key)
    if started is not None and started.state != ImportState.FAILED:
        return redirect(url_for("members.import_progress", name=name))
    sheet = _load(key)
    mapping = transfer.guess_mapping(sheet.headers)
    source = request.form if request.method == "POST" else request.args
    for field_name in transfer.FIELDS:
        chosen = source.get(f"col_{field_name}")
        if chosen is not None:
            mapping[field_name] = int(chosen) if chosen.isdigit() else None
        if mapping[field_name] is not None and not 0 <= mapping[field_name] < len(sheet.headers):  # type: ignore[operator]
            mapping[field_name] = None
    missing = [f for f in transfer.REQUIRED_FIELDS if mapping[f] is None]
    results = transfer.check_rows(
        sheet,
        mapping,
        members.all_niks(tenant_db()),
        clock.today(),
    )
    valid = import_job.valid_rows(results)
    confirmed = bool(
        request.method == "POST" and request.form.get("confirm") and not missing and valid
    )
    refusal = _plan_refusal(len(valid)) if confirmed else None
    if refusal is not None:
        flash(refusal, "error")
    elif confirmed:
        if import_job.runs_in_background(len(valid)):
            import_job.start_import(
                platform_db(),
                storage(),
                tenant_id=g.tenant.id,
                upload_key=key,
                mapping=mapping,
                total=len(valid),
            )
            platform_db().commit()  # the job exists from here
            return redirect(url_for("members.import_progress", name=name))
        try:
            count = members.import_members(tenant_db(), valid)
            tenant_db().commit()
        except MemberError:
            tenant_db().rollback()
            flash(
                _("Someone registered one of these members meanwhile. Check the preview again."),
                "error",
            )
        else:
            storage().delete(key)
            flash(_("%(count)s members imported.", count=count), "success")
            return redirect(url_for("members.index"))
    return render_template(
        "members/import_preview.html",
        name=name,
        sheet=sheet,
        mapping=mapping,
        missing=missing,
        results=results,
        valid=len(valid),
        in_background=import_job.runs_in_background(len(valid)),
        refused=[r for r in results if r.errors][:200],
        FIELD_LABELS=FIELD_LABELS,
        ROW_MESSAGES=ROW_MESSAGES,
    ), 422 if missing or refusal else 200


def _plan_refusal(adding: int) -> str | None:
    """The upgrade message when importing ``adding`` members goes past the plan's limit."""
    try:
        check_member_room(tenant_db(), current_terms().member_limit, adding=adding)
    except PlanLimitError as exc:
        return plan_limit_message(exc)
    return None


@bp.route("/impor/<name>/kemajuan")
@tenant_view(Permission.MANAGE_MEMBERS)
def import_progress(name: str) -> str:
    """How far a large import is: a page that reloads itself, or its panel for htmx to poll."""
    progress = import_job.read_progress(storage(), _upload_key(name))
    if progress is None:
        abort(404)
    page = "members/_import_progress.html" if htmx_request.htmx else "members/import_progress.html"
    return render_template(page, name=name, progress=progress, IMPORT_ERRORS=IMPORT_ERRORS)
