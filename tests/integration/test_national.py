"""The directory of verified cooperatives and the national dashboard (platform tables only)."""

from __future__ import annotations

import csv
import io

from tests.factories import csrf_token, login, text
from tests.integration.test_verification import application_of, claim, decide, submit

NAME = "Koperasi Desa Merah Putih Alpha"


def verify_alpha(alpha, platform, db, tenant_id):
    """Submit (alpha is signed in as its chair) and approve as the platform admin."""
    submit(alpha)
    application = application_of(db, tenant_id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    decide(platform, application.id, "approve")


def touch_profile(alpha):
    """An officer edit through the web, which refreshes the national summary row."""
    token = csrf_token(alpha, "/kelola/unit/baru")
    alpha.post(
        "/kelola/unit/baru",
        data={"kind": "ppob", "name": "Loket PPOB", "status": "running", "csrf_token": token},
    )


def test_only_verified_cooperatives_are_in_the_directory(
    alpha, platform, client_for, db, complete_alpha
):
    visitor = client_for(None)
    assert NAME not in text(visitor.get("/direktori"))
    login(alpha, "ana@kopalpha.id")
    verify_alpha(alpha, platform, db, complete_alpha.tenant.id)
    listing = text(visitor.get("/direktori"))
    assert NAME in listing
    assert 'href="http://alpha.localhost/"' in listing
    assert NAME in text(visitor.get("/direktori?q=alpha&provinsi=32"))
    assert NAME not in text(visitor.get("/direktori?q=beta"))
    assert NAME not in text(visitor.get("/direktori?provinsi=33"))
    assert NAME not in text(visitor.get("/direktori?q=%25"))  # wildcards are literal


def test_the_dashboard_counts_registered_verified_and_active(
    alpha, platform, client_for, db, complete_alpha
):
    login(alpha, "ana@kopalpha.id")
    touch_profile(alpha)
    verify_alpha(alpha, platform, db, complete_alpha.tenant.id)
    page = text(client_for(None).get("/dasbor"))
    row = page[page.index("Jawa Barat") :].split("</tr>")[0]
    assert "<td>1</td>" in row  # registered
    assert "(100%)" in row  # verified and active


def test_admins_drill_down_and_export_csv(alpha, platform, db, complete_alpha):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)  # waiting
    login(platform, "admin@kode.id")
    page = text(platform.get("/admin/dasbor?provinsi=32"))
    assert "Kabupaten Sukabumi" in page
    exported = platform.get("/admin/dasbor.csv?provinsi=32")
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][:3] == ["kode", "wilayah", "terdaftar"]
    sukabumi = next(r for r in rows if r[1] == "Kabupaten Sukabumi")
    assert sukabumi[2] == "1"
    assert sukabumi[7] == "1"  # one waiting for verification


def test_the_admin_dashboard_is_for_admins_only(client_for, alpha):
    assert client_for(None).get("/admin/dasbor").status_code == 302
    login(alpha, "ana@kopalpha.id")
    assert alpha.get("/admin/dasbor").status_code == 404
