"""Verification: submit when complete, the admins' queue, claims, decisions, the audit log."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy import text as text_sql
from sqlalchemy.exc import IntegrityError

from saas.accounts import operations as accounts
from saas.tenants.models import Tenant
from saas.verification.models import Application, VerificationEvent
from saas.verification.rules import REVIEW_ITEMS
from tests.factories import PASSWORD, PDF_BYTES, csrf_from, csrf_token, login, text


@pytest.fixture
def second_admin(db):
    with db.platform_session() as session:
        accounts.create_platform_admin(
            session, name="Admin Dua", email="dua@kode.id", password=PASSWORD
        )


def submit(client):
    return client.post(
        "/kelola/ajukan", data={"csrf_token": csrf_token(client, "/kelola/kelengkapan")}
    )


def application_of(db, tenant_id):
    with db.platform_session() as session:
        return session.scalars(
            select(Application).where(Application.tenant_id == tenant_id)
        ).first()


def review_form(client, application_id):
    page = client.get(f"/admin/verifikasi/{application_id}")
    html = text(page)
    fields = dict(
        re.findall(
            r'<input id="(version|fingerprint)" name="\1" type="hidden" value="([^"]*)"', html
        )
    )
    fields["csrf_token"] = csrf_from(page)
    return fields


def decide(client, application_id, action, *, fix=(), notes="", form=None, confirmed=True):
    data = form or review_form(client, application_id)
    for item in REVIEW_ITEMS:
        data[f"verdict_{item}"] = "fix" if item in fix else "ok"
        data[f"note_{item}"] = "Foto buram, unggah ulang." if item in fix else ""
    data.update({"notes": notes, "action": action})
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(f"/admin/verifikasi/{application_id}/putuskan", data=data)


def upload_document(client, kind, data=PDF_BYTES):
    token = csrf_token(client, "/kelola/dokumen/unggah")
    return client.post(
        "/kelola/dokumen/unggah",
        data={"kind": kind, "csrf_token": token, "file": (io.BytesIO(data), f"{kind}-baru.pdf")},
        content_type="multipart/form-data",
    )


def claim(client, application_id):
    token = csrf_from(client.get(f"/admin/verifikasi/{application_id}"))
    return client.post(f"/admin/verifikasi/{application_id}/klaim", data={"csrf_token": token})


def test_an_incomplete_cooperative_cannot_submit(alpha, db, tenants):
    login(alpha, "ana@kopalpha.id")
    response = submit(alpha)
    assert response.status_code == 302
    assert "Complete every item of the checklist first." in text(alpha.get("/kelola/kelengkapan"))
    assert application_of(db, tenants.a.tenant.id) is None


def test_submit_return_fix_resubmit_approve(alpha, platform, db, complete_alpha, outbox):
    login(alpha, "ana@kopalpha.id")
    assert submit(alpha).status_code == 302
    application = application_of(db, complete_alpha.tenant.id)
    assert application.status == "submitted"

    login(platform, "admin@kode.id")
    queue = text(platform.get("/admin/verifikasi"))
    assert "Koperasi Desa Merah Putih Alpha" in queue
    assert "waiting 0 days" in queue
    assert claim(platform, application.id).status_code == 302
    returned = decide(platform, application.id, "return", fix=("npwp",), notes="Periksa NPWP.")
    assert returned.status_code == 302
    assert outbox[-1]["to"] == ["ana@kopalpha.id"]
    assert "Foto buram" in str(outbox[-1]["data"])
    checklist = text(alpha.get("/kelola/kelengkapan"))
    assert "Periksa NPWP." in checklist
    assert "Foto buram, unggah ulang." in checklist

    assert upload_document(alpha, "npwp", PDF_BYTES.replace(b"%%EOF", b" %%EOF")).status_code == 302
    assert submit(alpha).status_code == 302  # after fixing, again
    assert application_of(db, complete_alpha.tenant.id).status == "submitted"
    claim(platform, application.id)
    approved = decide(platform, application.id, "approve")
    assert approved.status_code == 302
    with db.platform_session() as session:
        assert session.get(Tenant, complete_alpha.tenant.id).verified_at is not None
        actions = session.scalars(
            select(VerificationEvent.action)
            .where(VerificationEvent.application_id == application.id)
            .order_by(VerificationEvent.id)
        ).all()
    assert actions == ["submitted", "claimed", "returned", "resubmitted", "claimed", "approved"]
    assert "is verified" in str(outbox[-1]["data"])
    assert "Verified by KODE Indonesia" in text(alpha.get("/kelola/kelengkapan"))


def test_a_decision_on_an_application_that_changed_meanwhile_is_refused(
    alpha, platform, db, complete_alpha
):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    seen = review_form(platform, application.id)
    profile = {
        "vision": "Visi yang baru",
        "mission": "Misi",
        "address": "Jl. Desa 1",
        "postal_code": "43351",
        "latitude": "-6.9",
        "longitude": "107.6",
        "whatsapp": "081100000001",
        "phone": "",
        "email": "",
    }
    alpha.post(
        "/kelola/profil", data={**profile, "csrf_token": csrf_token(alpha, "/kelola/profil")}
    )
    response = decide(platform, application.id, "approve", form=seen)
    assert response.status_code == 409
    assert "changed its application after you opened it" in text(response)
    assert application_of(db, complete_alpha.tenant.id).status == "in_review"


def test_two_admins_do_not_clobber_each_other(
    alpha, platform, client_for, db, complete_alpha, second_admin
):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    other = client_for(None)
    login(other, "dua@kode.id")
    claim(other, application.id)
    assert "Admin Kode is reviewing this application." in text(
        other.get(f"/admin/verifikasi/{application.id}")
    )
    response = decide(other, application.id, "approve")
    assert response.status_code == 422
    assert "Claim the application before deciding" in text(response)
    assert application_of(db, complete_alpha.tenant.id).status == "in_review"


def test_approval_needs_every_item_ok_and_a_return_needs_notes(alpha, platform, db, complete_alpha):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    assert decide(platform, application.id, "approve", fix=("akta",)).status_code == 422
    data = review_form(platform, application.id)
    data.update({f"verdict_{item}": "ok" for item in REVIEW_ITEMS})
    data.update({"action": "return", "notes": ""})
    assert (
        platform.post(f"/admin/verifikasi/{application.id}/putuskan", data=data).status_code == 422
    )
    assert application_of(db, complete_alpha.tenant.id).status == "in_review"


def test_the_queue_filters_by_region_and_waiting_time(alpha, platform, db, complete_alpha):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    login(platform, "admin@kode.id")
    name = "Koperasi Desa Merah Putih Alpha"
    assert name in text(platform.get("/admin/verifikasi?provinsi=32"))
    assert name in text(platform.get("/admin/verifikasi?provinsi=32&kabupaten=32.02"))
    assert name not in text(platform.get("/admin/verifikasi?provinsi=33"))
    assert name not in text(platform.get("/admin/verifikasi?menunggu=3"))


def test_a_verification_can_be_suspended_with_a_reason(alpha, platform, db, complete_alpha):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    decide(platform, application.id, "approve")
    token = csrf_from(platform.get(f"/admin/verifikasi/{application.id}"))
    platform.post(
        f"/admin/verifikasi/{application.id}/cabut",
        data={"csrf_token": token, "action": "suspend", "reason": "Pengurus bermasalah"},
    )
    assert application_of(db, complete_alpha.tenant.id).status == "suspended"
    with db.platform_session() as session:
        assert session.get(Tenant, complete_alpha.tenant.id).verified_at is None
    assert "Pengurus bermasalah" in text(alpha.get("/kelola/kelengkapan"))


def test_reviewers_open_the_documents_and_officers_cannot_reach_the_desk(
    alpha, platform, db, complete_alpha
):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    document = platform.get(f"/admin/verifikasi/{application.id}/dokumen/akta")
    assert document.data == PDF_BYTES
    assert platform.get(f"/admin/verifikasi/{application.id}/dokumen/bogus").status_code == 404
    assert alpha.get(f"/admin/verifikasi/{application.id}").status_code == 404


def test_the_public_microsite_shows_the_badge_once_verified(
    alpha, platform, client_for, db, complete_alpha
):
    visitor = client_for("alpha", lang="en")
    before = text(visitor.get("/"))
    assert "Waiting for verification" in before
    assert "wa.me/6281100000001?text=Hello%20Koperasi%20Desa%20Merah%20Putih%20Alpha" in before
    assert "Sejahtera bersama" in before
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, complete_alpha.tenant.id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    decide(platform, application.id, "approve")
    after = text(client_for("alpha", lang="en").get("/"))
    assert "Verified by KODE Indonesia on" in after
    assert "100%" in after  # the public completeness score


def claimed_application(alpha, platform, db, tenant_id):
    login(alpha, "ana@kopalpha.id")
    submit(alpha)
    application = application_of(db, tenant_id)
    login(platform, "admin@kode.id")
    claim(platform, application.id)
    return application


def test_an_item_without_a_verdict_stops_the_decision(alpha, platform, db, complete_alpha):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    page = text(platform.get(f"/admin/verifikasi/{application.id}"))
    assert not re.search(r'<input[^>]*type="radio"[^>]*checked', page)  # nothing pre-judged
    data = review_form(platform, application.id)
    data |= {f"verdict_{item}": "ok" for item in REVIEW_ITEMS if item != "akta"}
    data |= {"action": "approve", "confirmed": "yes"}
    response = platform.post(f"/admin/verifikasi/{application.id}/putuskan", data=data)
    assert response.status_code == 422
    assert "Choose OK or Needs fixing for this item." in text(response)
    assert application_of(db, complete_alpha.tenant.id).status == "in_review"


def test_approval_is_confirmed_on_a_second_page(alpha, platform, db, complete_alpha, outbox):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    asked = decide(platform, application.id, "approve", confirmed=False)
    assert asked.status_code == 200
    assert "Approve Koperasi Desa Merah Putih Alpha?" in text(asked)
    assert application_of(db, complete_alpha.tenant.id).status == "in_review"
    assert outbox == []
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', text(asked)))
    back = platform.post(
        f"/admin/verifikasi/{application.id}/putuskan", data=form | {"action": "edit"}
    )
    assert back.status_code == 200
    assert len(re.findall(r'<input checked[^>]*value="ok"', text(back))) == len(REVIEW_ITEMS)
    confirmed = platform.post(
        f"/admin/verifikasi/{application.id}/putuskan", data=form | {"action": "approve"}
    )
    assert confirmed.status_code == 302
    assert application_of(db, complete_alpha.tenant.id).status == "approved"


def test_the_review_names_the_fields_as_the_officers_see_them(alpha, platform, db, complete_alpha):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    page = text(platform.get(f"/admin/verifikasi/{application.id}"))
    assert "SK AHU number (legal entity decree)" in page
    assert "WhatsApp number" in page
    assert "<dt>sk_ahu_number</dt>" not in page
    assert "<dt>whatsapp</dt>" not in page


def test_a_returned_application_shows_what_to_fix_and_waits_for_the_fix(
    alpha, platform, db, complete_alpha
):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    assert decide(platform, application.id, "return", fix=("npwp",)).status_code == 302

    checklist = text(alpha.get("/kelola/kelengkapan"))
    assert "Returned for fixing" in checklist
    assert "What was returned" in checklist
    assert "NPWP card" in checklist
    assert "Foto buram, unggah ulang." in checklist
    assert "Not changed yet" in checklist
    assert "/kelola/dokumen/unggah?jenis=npwp" in checklist
    documents = text(alpha.get("/kelola/dokumen"))
    assert "Returned by KODE Indonesia: Foto buram, unggah ulang." in documents

    refused = submit(alpha)
    assert refused.status_code == 302
    assert "Fix every item KODE Indonesia returned" in text(alpha.get("/kelola/kelengkapan"))
    assert application_of(db, complete_alpha.tenant.id).status == "returned"

    assert upload_document(alpha, "npwp").status_code == 302
    checklist = text(alpha.get("/kelola/kelengkapan"))
    assert "Changed since it was returned" in checklist
    assert "Returned for fixing" not in checklist
    assert "Replaced since it was returned" in text(alpha.get("/kelola/dokumen"))
    assert submit(alpha).status_code == 302
    assert application_of(db, complete_alpha.tenant.id).status == "submitted"


def test_the_verdicts_are_offered_in_the_reviewers_language(
    alpha, platform, client_for, db, complete_alpha
):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    reviewer = client_for(None, lang="id")
    login(reviewer, "admin@kode.id")
    page = text(reviewer.get(f"/admin/verifikasi/{application.id}"))
    assert "Perlu diperbaiki" in page
    assert "Needs fixing" not in page


def test_the_database_refuses_an_approval_that_does_not_judge_every_item_ok(
    alpha, platform, db, complete_alpha
):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    every_ok = {item: {"ok": True, "note": ""} for item in REVIEW_ITEMS}
    one_missing = {item: v for item, v in every_ok.items() if item != "akta"}
    one_not_ok = every_ok | {"akta": {"ok": False, "note": "buram"}}
    insert = text_sql(
        "INSERT INTO verification_events (application_id, action, verdicts, created_at)"
        " VALUES (:id, 'approved', CAST(:verdicts AS json), now())"
    )
    for verdicts in (None, one_missing, one_not_ok):
        with pytest.raises(IntegrityError), db.platform_transaction() as connection:
            connection.execute(
                insert,
                {
                    "id": application.id,
                    "verdicts": None if verdicts is None else json.dumps(verdicts),
                },
            )
    with db.platform_transaction() as connection:
        connection.execute(insert, {"id": application.id, "verdicts": json.dumps(every_ok)})


def test_the_database_refuses_an_approved_application_without_its_date(
    alpha, platform, db, complete_alpha
):
    application = claimed_application(alpha, platform, db, complete_alpha.tenant.id)
    with pytest.raises(IntegrityError), db.platform_transaction() as connection:
        connection.execute(
            text_sql(
                "UPDATE verification_applications SET status = 'approved', verified_at = NULL"
                " WHERE id = :id"
            ),
            {"id": application.id},
        )
