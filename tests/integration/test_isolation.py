"""Tenant isolation: a user of tenant B walks every route against tenant A's objects.

Ids collide across the two schemas (users 1-3 and invitation 1 exist in both); A alone has user 4
and invitation 2. Every registered route must be classified below: a new route fails
``test_every_route_is_classified`` until someone decides how it is probed here.
"""

from __future__ import annotations

import pytest

from saas.accounts.tokens import make_token, password_fingerprint
from saas.blueprints.auth.views import handoff_payload
from tests.factories import csrf_token, login, text

# endpoint -> how to probe it. "none": takes no tenant object; "platform": platform host only;
# otherwise a function building the URL parameters from tenant A's objects.
ROUTES = {
    "site.home": "none",
    "site.choose_language": "none",
    "site.save_language": "none",
    "site.healthz": "none",
    "site.robots": "none",
    "site.news": "none",
    "site.board": "none",
    "site.units": "none",
    "site.news_post": lambda a: {"post_id": a.news[-1].id},
    "site.products": "none",
    "site.photo": "none",
    "profile.edit_news": lambda a: {"post_id": a.news[-1].id},
    "profile.remove_news": lambda a: {"post_id": a.news[-1].id},
    "members.index": "none",
    "members.find_payer": "none",
    "members.card": lambda a: {"member_id": a.members[-1].id},
    "site.check_member": "token",
    "members.online_access": lambda a: {"member_id": a.members[-1].id},
    "members.link_account": lambda a: {"member_id": a.members[-1].id},
    "auth.member_access": "token",
    "members.export": "none",
    "members.import_upload": "none",
    "members.import_preview": lambda a: {"name": "0" * 32 + ".csv"},
    "members.import_progress": lambda a: {"name": "0" * 32 + ".csv"},
    "bills.index": "none",
    "bills.settings": "none",
    "bills.arrears": "none",
    "bills.show": lambda a: {"bill_id": 99},
    "bills.pay": lambda a: {"bill_id": 99},
    "reports.index": "none",
    "reports.download": "none",
    "reports.journal": "none",
    "reports.record_entry": "none",
    "reports.close_month": "none",
    "reports.reverse": lambda a: {"entry_id": a.entries[-1].id},
    "reports.attachment": lambda a: {"entry_id": a.entries[-1].id, "attachment_id": 1},
    "reports.trial": "none",
    "reports.shu_index": "none",
    "bills.interest_index": "none",
    "members.member_statement": lambda a: {"member_id": a.members[-1].id, "fmt": "pdf"},
    "officer.own_statement": "none",  # the signed-in member's own
    "bills.reclassify": "none",
    "bills.pay_interest": "none",
    "reports.publish_index": "none",
    "reports.publish": "none",
    "reports.withdraw": "none",  # a year: 404 unless this tenant published it (test_publishing)
    "site.financial_reports": "none",
    "site.financial_report": "none",  # a year: 404 unless this tenant published it
    "reports.save_split": "none",
    "reports.shu_plan": "none",  # a year, not an object: 404 unless closed in this tenant
    "reports.post_shu": "none",
    # B has no allocation; test_shu proves B's real allocation is not found from A.
    "reports.shu_allocation": lambda a: {"allocation_id": 1},
    "reports.shu_xlsx": lambda a: {"allocation_id": 1},
    "reports.pay_shu": lambda a: {"allocation_id": 1},
    "reports.cancel_shu": lambda a: {"allocation_id": 1},
    "reports.chart": "none",
    "reports.account": lambda a: {"account_id": a.accounts[-1].id},
    "reports.rename_account": lambda a: {"account_id": a.accounts[-1].id},
    "reports.add_account": lambda a: {"account_id": a.accounts[-1].id},
    "reports.hide_account": lambda a: {"account_id": a.accounts[-1].id},
    "reports.remove_account": lambda a: {"account_id": a.accounts[-1].id},
    "reports.equity": "none",
    "reports.cash_flow_statement": "none",
    "reports.savings": "none",
    "reports.choose_ledger": "none",
    # Both tenants have the same chart (same ids): this id is beyond it (see test_reports for
    # an account only one tenant has).
    "reports.general_ledger_of": lambda a: {"account_id": a.accounts[-1].id, "fmt": "pdf"},
    "members.member_savings": lambda a: {"member_id": a.members[-1].id},
    "members.record_movement": lambda a: {"member_id": a.members[-1].id, "action": "setor"},
    "members.receipt": lambda a: {"number": "KW-2026-000099"},
    "members.receipt_pdf": lambda a: {"number": "KW-2026-000099"},
    "site.check_receipt": "none",
    "members.edit": lambda a: {"member_id": a.members[-1].id},
    "members.record_exit": lambda a: {"member_id": a.members[-1].id},
    "members.readmit": lambda a: {"member_id": a.members[-1].id},
    "members.ktp_photo": lambda a: {"member_id": a.members[-1].id},
    "profile.remove_news_photo": lambda a: {
        "post_id": a.news[-1].id,
        "photo_id": a.news_photo_ids[-1],
    },
    "profile.edit_product": lambda a: {"product_id": a.products[-1].id},
    "profile.remove_product": lambda a: {"product_id": a.products[-1].id},
    "site.preview_image": "none",
    "site.sitemap": "none",
    "site.outbox": "platform",
    "site.find_cooperative": "platform",
    "auth.login": "none",
    "auth.logout": "none",
    "auth.forgot_password": "none",
    "auth.reset_password": "token",
    "auth.accept_invitation": "token",
    "officer.home": "none",
    "officer.member_home": "none",
    "officer.team": "none",
    "officer.team_member": lambda a: {"user_id": a.users["pengawas"].id},
    "officer.revoke_invitation": lambda a: {"invitation_id": a.invitations[1].id},
    "auth.handoff": "token",
    "registration.region": "platform",
    "registration.cooperative": "platform",
    "registration.check_address": "platform",
    "registration.officer": "platform",
    "registration.confirm_email": "platform",
    "profile.checklist": "none",
    "profile.edit_profile": "none",
    "profile.edit_legal": "none",
    "profile.board": "none",
    "profile.edit_board_member": lambda a: {"member_id": a.board[-1].id},
    "profile.remove_board_member": lambda a: {"member_id": a.board[-1].id},
    "profile.units": "none",
    "profile.edit_unit": lambda a: {"unit_id": a.units[-1].id},
    "profile.remove_unit": lambda a: {"unit_id": a.units[-1].id},
    "profile.documents_list": "none",
    "profile.upload_document": "none",
    "profile.download_document": lambda a: {"document_id": a.documents[-1].id},
    "profile.submit_verification": "none",
    "admin.verification_queue": "platform",
    "admin.review": "platform",
    "admin.claim": "platform",
    "admin.decide": "platform",
    "admin.withdraw": "platform",
    "admin.review_document": "platform",
    "national.directory": "platform",
    "national.dashboard": "platform",
    "national.admin_dashboard": "platform",
    "national.admin_dashboard_csv": "platform",
    "national.nudges_sent": "platform",
    "admin.home": "platform",
    "admin.new_cooperative": "platform",
    "admin.suspend": "platform",
    "admin.resume": "platform",
}

A_ONLY_NAMES = (
    "Dedi OnlyAlpha",
    "Fajar OnlyInvitedAlpha",
    "dedi@kopalpha.id",
    "fajar@kopalpha.id",
    "Hendra PengawasAlpha",
    "Apotek OnlyAlpha",
    "Panen OnlyAlpha",
    "Madu OnlyAlpha",
    "Joko OnlyAlpha",
    "Bensin OnlyAlpha",
    "Sewa tenda OnlyAlpha",
)
A_NAMES = (*A_ONLY_NAMES, "Ana Alpha", "Koperasi Desa Merah Putih Alpha")


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "classify the new route(s) in ROUTES"
    assert set(ROUTES) - endpoints == set(), "remove routes that no longer exist"


def test_every_view_declares_its_access_rule(app):
    missing = [name for name, view in app.view_functions.items() if not hasattr(view, "access")]
    assert missing == []


def test_a_b_officer_gets_404_for_every_a_only_object(app, beta, client_for, tenants):
    login(beta, "ani@kopbeta.id")
    treasurer = client_for("beta")  # the treasurer-only pages (the journal) are probed as Bayu
    login(treasurer, "bayu@kopbeta.id")
    tokens = {
        id(beta): csrf_token(beta, "/kelola/tim"),
        id(treasurer): csrf_token(treasurer, "/kelola"),
    }
    probes = []
    with app.test_request_context():  # only to build the URLs: requests run outside it
        for rule in app.url_map.iter_rules():
            how = ROUTES[rule.endpoint]
            if not callable(how) or not rule.arguments:
                continue  # no object in this URL (e.g. the "new" form of the same view)
            url = rule.build(how(tenants.a))[1]  # type: ignore[index]
            probes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    for method, url in probes:
        response = beta.open(url, method=method, data={"csrf_token": tokens[id(beta)]})
        if response.status_code == 403:
            response = treasurer.open(
                url, method=method, data={"csrf_token": tokens[id(treasurer)]}
            )
        assert response.status_code == 404, (method, url)
        assert not any(name in text(response) for name in A_NAMES), (method, url)
    assert len(probes) >= 3


def test_colliding_ids_show_b_own_rows_never_a_rows(beta, tenants):
    login(beta, "ani@kopbeta.id")
    shared_id = tenants.a.users["bendahara"].id
    assert shared_id == tenants.b.users["bendahara"].id  # the collision is real
    response = beta.get(f"/kelola/tim/{shared_id}")
    assert response.status_code == 200
    assert "Bayu Beta" in text(response)
    assert "Bambang Alpha" not in text(response)
    team = text(beta.get("/kelola/tim"))
    assert not any(name in team for name in A_NAMES)


def test_a_handoff_link_for_tenant_a_signs_nobody_in_on_tenant_b(app, beta, tenants):
    a = tenants.a
    key = app.extensions["guyub.settings"].secret_key
    token = make_token(key, "handoff", handoff_payload(a.tenant, a.users["bendahara"]))
    response = beta.get(f"/masuk/lanjut/{token}")
    assert response.headers["Location"] == "/masuk"
    assert beta.get("/kelola").status_code == 302


@pytest.mark.parametrize("purpose", ["reset", "invite"])
def test_a_link_made_for_tenant_a_does_not_work_on_tenant_b(app, beta, tenants, purpose):
    a = tenants.a
    key = app.extensions["guyub.settings"].secret_key
    if purpose == "reset":
        user = a.users["bendahara"]
        payload = {
            "k": "t",
            "tid": a.tenant.id,
            "uid": user.id,
            "fp": password_fingerprint(user.password_hash, user.session_version),
        }
        path = "/atur-sandi/"
    else:
        payload = {"tid": a.tenant.id, "iid": a.invitations[0].id}
        path = "/undangan/"
    response = beta.get(path + make_token(key, purpose, payload))
    assert response.status_code == 404
    assert "Bambang" not in text(response)
    assert "Eka" not in text(response)


def test_b_session_cookie_on_a_host_reaches_nothing(alpha, beta):
    login(beta, "ani@kopbeta.id")
    stolen = beta.get_cookie("guyub_session", domain="beta.localhost")
    alpha.set_cookie("guyub_session", stolen.value, domain="alpha.localhost")
    for path in ("/kelola", "/kelola/tim", "/kelola/tim/1", "/anggota"):
        response = alpha.get(path)
        assert response.status_code == 302, path
        assert not any(name in text(response) for name in A_NAMES)
