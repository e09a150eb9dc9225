"""The cooperative's own data, downloaded whole by the chair or the treasurer (/kelola/data)."""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime

from flask import Blueprint, current_app, g, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from saas import clock
from saas.access import tenant_view
from saas.accounts.roles import Permission
from saas.blueprints.forms import Form
from saas.db import get_databases
from saas.portability.export import export_tenant
from saas.storage import Storage

bp = Blueprint("portability", __name__, url_prefix="/kelola/data")

log = logging.getLogger(__name__)

# Archives up to this size stay in memory while they are sent; larger ones go to a temporary file.
IN_MEMORY = 32 * 1024 * 1024


class DownloadForm(Form):
    """Nothing to fill in: the button, and the CSRF token that makes it this officer's."""


@bp.route("")
@tenant_view(Permission.EXPORT_DATA)
def index() -> str:
    return render_template("portability/index.html", form=DownloadForm())


@bp.route("", methods=["POST"])
@tenant_view(Permission.EXPORT_DATA)
def download() -> Response | tuple[str, int]:
    form = DownloadForm()
    if not form.validate_on_submit():
        return render_template("portability/index.html", form=form), 422
    storage: Storage = current_app.extensions["guyub.storage"]
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - send_file closes it
    manifest = export_tenant(
        get_databases(), storage, g.tenant, archive, exported_at=datetime.now(UTC)
    )
    # Who took the whole data, NIK and KTP photos included, and when: the JSON log keeps it.
    log.info(
        "data exported",
        extra={
            "tenant_id": g.tenant.id,
            "user_id": current_user.id,
            "role": str(current_user.role),
            "tables": len(manifest["tables"]),
            "files": len(manifest["attachments"]),
        },
    )
    archive.seek(0)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.tenant.slug}-{clock.today().isoformat()}.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"  # send_file's own would let it be kept
    return response
