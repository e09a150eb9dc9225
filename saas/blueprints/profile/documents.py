"""Officers upload the legal documents; files are checked by content and served privately."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import SelectField

from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form, choices_from
from saas.blueprints.profile.forms import DOCUMENT_LABELS, UPLOAD_MESSAGES
from saas.blueprints.profile.views import bp, returned_items
from saas.db import platform_db, tenant_db
from saas.documents import operations as documents
from saas.documents.models import DocumentKind
from saas.storage import Storage
from saas.uploads import MAX_UPLOAD_BYTES, UploadRejected, check_upload
from saas.verification import operations as verification


class UploadForm(Form):
    kind = SelectField(
        _l("Document"),
        choices=choices_from(DOCUMENT_LABELS),
    )
    file = FileField(
        _l("File (PDF, JPEG or PNG)"),
        validators=[FileRequired(message=UPLOAD_MESSAGES["empty"])],
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )


def storage() -> Storage:
    store: Storage = current_app.extensions["guyub.storage"]
    return store


@bp.route("/dokumen")
@tenant_view(Permission.OFFICER_AREA)
def documents_list() -> str:
    application = verification.get_application_of_tenant(platform_db(), g.tenant.id)
    returned, unchanged = returned_items(application)
    return render_template(
        "profile/documents.html",
        current=documents.list_current_documents(tenant_db()),
        labels=DOCUMENT_LABELS,
        returned=returned,
        unchanged=unchanged,
    )


@bp.route("/dokumen/unggah", methods=["GET", "POST"])
@tenant_view(Permission.EDIT_PROFILE)
def upload_document() -> Response | str | tuple[str, int]:
    form = UploadForm(kind=request.args.get("jenis") or None)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            checked = check_upload(upload.read(documents_max_read()))
        except UploadRejected as exc:
            form.file.errors = [str(UPLOAD_MESSAGES[exc.code])]
        else:
            documents.store_document(
                tenant_db(),
                storage(),
                owner=g.tenant.schema_name,
                kind=DocumentKind(form.kind.data),
                original_name=upload.filename or "",
                checked=checked,
                uploaded_by=current_user.record,
            )
            tenant_db().commit()
            flash(_("Document uploaded."), "success")
            return redirect(url_for("profile.documents_list"))
    status = 422 if form.errors else 200
    return render_template("profile/upload.html", form=form, labels=DOCUMENT_LABELS), status


def documents_max_read() -> int:
    """Read one byte past the limit, so an oversize file is told apart without reading it all."""
    return MAX_UPLOAD_BYTES + 1


@bp.route("/dokumen/<int:document_id>")
@tenant_view(Permission.OFFICER_AREA)
def download_document(document_id: int) -> Response:
    document = documents.get_document_for_tenant(tenant_db(), document_id)
    if document is None:
        abort(404)
    disposition = "attachment" if document.content_type == "application/pdf" else "inline"
    response = current_app.response_class(
        storage().read(document.storage_key), mimetype=document.content_type
    )
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(document.original_name)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response
