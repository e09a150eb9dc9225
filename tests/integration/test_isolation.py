"""Tenant isolation: tenant B's host is asked for every object of tenant A a URL can name.

Ids collide across the two schemas (users 1-3 and invitation 1 exist in both); the walk names
only objects A has at an id or key B lacks (``test_the_walk_names_objects_only_a_has``), from
B's officers, and from a visitor where the route is public. Every registered route is classified
below, and every route with arguments has a probe: a new route fails
``test_every_route_is_classified`` or ``test_every_route_with_arguments_is_probed`` until someone
decides how it is probed here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.test import TestResponse

from saas.accounts.models import Invitation, TenantUser
from saas.accounts.tokens import make_token, password_fingerprint
from saas.blueprints.auth.reset_mail import account_token
from saas.blueprints.auth.views import handoff_payload
from saas.documents.models import Document
from saas.gerai.models import Consignor, GeraiProduct, Sale
from saas.ledger.models import Account, EntryAttachment, JournalEntry
from saas.loans.models import Loan, LoanProduct, LoanRepayment
from saas.members.models import Member
from saas.microsite.models import BoardMember, BusinessUnit, NewsPhoto, NewsPost, Product
from saas.microsite.operations import public_owner
from saas.publishing.models import PublishedReport
from saas.savings.models import Bill, Receipt
from saas.shu.models import ShuAllocation
from tests.factories import (
    ADMIN_EMAIL,
    ALPHA_BILL_AMOUNT,
    ALPHA_DEPOSIT,
    ALPHA_EXPENSE,
    ALPHA_GERAI_PRODUCT,
    ALPHA_IMPORTED_NAME,
    ALPHA_REGISTRATION_EMAIL,
    AlphaExtras,
    AlphaGerai,
    TenantData,
    books_of,
    build_alpha_extras,
    build_alpha_gerai,
    csrf_token,
    login,
    text,
)


@dataclass(frozen=True)
class Alpha:
    """Tenant A's objects and the links made for them, as the probes name them."""

    data: TenantData
    extras: AlphaExtras
    links: dict[str, str]  # purpose -> a signed token made for A
    gerai: AlphaGerai | None = None  # A's shop: a product of its second unit, and a sale


Values = Callable[[Alpha], dict[str, Any]]


@dataclass(frozen=True)
class Probe:
    """How tenant B's host is asked through one route, and what it must answer."""

    values: Values
    visitors: bool = False  # also asked by someone not signed in (public and link routes)
    expect: int = 404
    location: str | None = None  # where a redirect must lead
    platform: bool = False  # the platform host's page: A's object is found there, not on A's
    names_object: bool = True  # False when the arguments name no object of A's


def officer(values: Values) -> Probe:
    """A signed-in route naming one of A's objects: B's officers are told it does not exist."""
    return Probe(values)


def anyone(values: Values, *, expect: int = 404, location: str | None = None) -> Probe:
    """A public route or a link naming one of A's objects: nobody on B's host reaches it."""
    return Probe(values, visitors=True, expect=expect, location=location)


def on_platform(values: Values) -> Probe:
    """A platform page naming one of A's objects: a cooperative's host answers none of them."""
    return Probe(values, visitors=True, platform=True)


def own(values: Values, *, expect: int = 200, location: str | None = None) -> Probe:
    """Arguments naming no object (a file format, a language): B gets its own, none of A's."""
    return Probe(values, expect=expect, location=location, names_object=False)


def member(a: Alpha) -> dict[str, Any]:
    return {"member_id": a.data.members[-1].id}


def news(a: Alpha) -> dict[str, Any]:
    return {"post_id": a.data.news[-1].id}


def product(a: Alpha) -> dict[str, Any]:
    return {"product_id": a.data.products[-1].id}


def rat_meeting(a: Alpha) -> dict[str, Any]:
    return {"meeting_id": a.extras.rat_meeting_id}


def account(a: Alpha) -> dict[str, Any]:
    return {"account_id": a.data.accounts[-1].id}


def allocation(a: Alpha) -> dict[str, Any]:
    return {"allocation_id": a.extras.allocation_id}


def bill(a: Alpha) -> dict[str, Any]:
    return {"bill_id": a.extras.bill.id}


def receipt(a: Alpha) -> dict[str, Any]:
    return {"number": a.extras.receipt_number}


def upload(a: Alpha) -> dict[str, Any]:
    return {"name": a.extras.import_name}


def year(a: Alpha) -> dict[str, Any]:
    return {"year": a.extras.published_year}


def application(a: Alpha) -> dict[str, Any]:
    return {"application_id": a.extras.application_id}


def loan(a: Alpha) -> dict[str, Any]:
    return {"loan_id": a.extras.loan_id}


def loan_payment(a: Alpha) -> dict[str, Any]:
    return {"number": a.extras.loan_payment_number}


def loan_product(a: Alpha) -> dict[str, Any]:
    return {"product_id": a.extras.loan_product_id}


def unit(a: Alpha) -> dict[str, Any]:
    return {"unit_id": a.data.units[-1].id}  # A's pharmacy: B has one unit only


def gerai_product(a: Alpha) -> dict[str, Any]:
    return {**unit(a), "product_id": a.gerai.product_id}


def consignor(a: Alpha) -> dict[str, Any]:
    return {**unit(a), "consignor_id": a.gerai.consignor_id}


def sale(a: Alpha) -> dict[str, Any]:
    return {"number": a.gerai.sale_number}


def link(purpose: str) -> Values:
    return lambda a: {"token": a.links[purpose]}


def fmt(value: str) -> Values:
    return lambda a: {"fmt": value}


def moved(new_path: str) -> Probe:
    """An old address: any host answers a permanent redirect to the new one, naming nothing."""
    return own(lambda a: {"rest": "1"}, expect=301, location=f"{new_path}/1")


def photo(a: Alpha) -> dict[str, Any]:
    owner, name = a.data.news[-1].photos[0].photo_key.split("/")
    assert owner == public_owner(a.data.tenant.schema_name or "")
    return {"owner": owner, "name": name}


# endpoint -> how it is probed. "none": no arguments, so no tenant object in the URL;
# "platform": the platform host's, without arguments (tests of the platform cover them);
# otherwise a Probe, whose values function builds the URL's arguments from A's objects.
ROUTES: dict[str, str | Probe] = {
    "site.home": "none",
    "site.choose_language": own(lambda a: {"locale": "id"}, expect=302, location="/"),
    "site.save_language": "none",
    "site.healthz": "none",
    "site.robots": "none",
    "site.news": "none",
    "site.board": "none",
    "site.units": "none",
    "site.news_post": anyone(news),
    "site.products": "none",
    "site.photo": anyone(photo),
    "profile.edit_news": officer(news),
    "profile.remove_news": officer(news),
    "members.index": "none",
    "savings.find_payer": "none",
    "members.card": officer(member),
    "site.check_member": anyone(link("member-card")),
    "members.online_access": officer(member),
    "members.link_account": officer(member),
    "auth.member_access": anyone(link("access")),
    "members.export": own(fmt("csv")),
    "members.import_upload": "none",
    "members.import_preview": officer(upload),
    "members.import_progress": officer(upload),
    "savings.bills_index": "none",
    "savings.settings": "none",
    "savings.arrears": "none",
    "savings.show_bill": officer(bill),
    "savings.pay_bill": officer(bill),
    "savings.qris_setting": "none",
    "savings.qris_payments": "none",
    "reports.index": "none",
    "reports.download": own(fmt("pdf")),
    "books.journal": "none",
    "books.record_entry": "none",
    "books.close_month": "none",
    "books.reverse": officer(lambda a: {"entry_id": a.extras.entry.id}),
    "books.attachment": officer(
        lambda a: {"entry_id": a.extras.entry.id, "attachment_id": a.extras.attachment.id}
    ),
    "reports.trial": "none",
    "shu.index": "none",
    "savings.interest_index": "none",
    "members.member_statement": officer(lambda a: {**member(a), "fmt": "pdf"}),
    "member.statement": own(fmt("pdf"), expect=404),  # B's officer is no member
    "savings.reclassify": "none",
    "savings.pay_interest": "none",
    "portability.index": "none",
    "portability.download": "none",
    "publishing.index": "none",
    "publishing.publish": "none",
    "publishing.withdraw": officer(year),
    "site.financial_reports": "none",
    "site.financial_report": anyone(year),
    "shu.save_split": "none",
    "shu.plan": officer(year),  # closed in A only
    "shu.post": officer(year),
    "shu.allocation": officer(allocation),
    "shu.allocation_xlsx": officer(allocation),
    "shu.pay": officer(allocation),
    "shu.cancel": officer(allocation),
    "books.chart": "none",
    "books.account": officer(account),
    "books.rename_account": officer(account),
    "books.add_account": officer(account),
    "books.hide_account": officer(account),
    "books.remove_account": officer(account),
    "reports.equity": own(fmt("xlsx")),
    "reports.cash_flow_statement": own(fmt("xlsx")),
    "reports.savings": own(fmt("xlsx")),
    "books.choose_ledger": "none",
    "books.general_ledger_of": officer(lambda a: {**account(a), "fmt": "pdf"}),
    "savings.member_savings": officer(member),
    "savings.record_movement": officer(lambda a: {**member(a), "action": "setor"}),
    "savings.receipt": officer(receipt),
    "savings.receipt_pdf": officer(receipt),
    "site.check_receipt": anyone(link("receipt")),
    "members.edit": officer(member),
    "members.record_exit": officer(member),
    "members.readmit": officer(member),
    "members.ktp_photo": officer(member),
    "profile.remove_news_photo": officer(
        lambda a: {**news(a), "photo_id": a.data.news_photo_ids[-1]}
    ),
    "profile.edit_product": officer(product),
    "profile.remove_product": officer(product),
    "site.preview_image": "none",
    "site.sitemap": "none",
    "site.outbox": "platform",
    "site.find_cooperative": "platform",
    "auth.login": "none",
    "auth.logout": "none",
    "auth.forgot_password": "none",
    "auth.reset_password": anyone(link("reset")),
    "auth.accept_invitation": anyone(link("invite")),
    "officer.home": "none",
    "member.home": "none",
    "loans.index": "none",
    "loans.apply": "none",
    "loans.products": "none",
    "loans.new_product": "none",
    "loans.settings": "none",
    "loans.edit_product": officer(loan_product),
    "loans.show": officer(loan),
    "loans.decide": officer(loan),
    "loans.cancel": officer(loan),
    "loans.pay_out": officer(loan),
    "loans.agreement": officer(loan),
    "loans.take_payment": officer(loan),
    "loans.pay_off": officer(loan),
    "loans.restructure": officer(loan),
    "loans.payment": officer(loan_payment),
    "loans.payment_pdf": officer(loan_payment),
    "loans.reverse_payment": officer(loan_payment),
    "loans.reminders": "none",
    "loans.portfolio": "none",
    "loans.save_collectibility": "none",
    "loans.post_reserve": "none",
    "reports.loan_ledger": own(fmt("xlsx")),
    "reports.loan_card": officer(lambda a: {"loan_id": a.extras.loan_id, "fmt": "pdf"}),
    "member.loan": officer(loan),  # B's officers are no members of A, and A's loan is not B's
    "member.apply_loan": "none",
    "moved.journal": moved("/kelola/jurnal"),
    "moved.chart": moved("/kelola/akun"),
    "moved.general_ledger": moved("/kelola/buku-besar"),
    "moved.shu": moved("/kelola/shu"),
    "moved.publishing": moved("/kelola/terbitkan"),
    "moved.interest": moved("/kelola/simpanan/bunga"),
    "officer.team": "none",
    "officer.team_member": officer(lambda a: {"user_id": a.data.users["pengawas"].id}),
    "officer.revoke_invitation": officer(lambda a: {"invitation_id": a.data.invitations[1].id}),
    "auth.handoff": anyone(link("handoff"), expect=302, location="/masuk"),
    "registration.region": "platform",
    "registration.cooperative": "platform",
    "registration.check_address": "platform",
    "registration.officer": "platform",
    "registration.confirm_email": on_platform(link("confirm-email")),
    "profile.checklist": "none",
    "profile.edit_profile": "none",
    "profile.edit_legal": "none",
    "profile.board": "none",
    "profile.edit_board_member": officer(lambda a: {"member_id": a.data.board[-1].id}),
    "profile.remove_board_member": officer(lambda a: {"member_id": a.data.board[-1].id}),
    "profile.units": "none",
    "profile.edit_unit": officer(lambda a: {"unit_id": a.data.units[-1].id}),
    "profile.remove_unit": officer(lambda a: {"unit_id": a.data.units[-1].id}),
    "profile.documents_list": "none",
    "profile.upload_document": "none",
    "profile.download_document": officer(lambda a: {"document_id": a.data.documents[-1].id}),
    "profile.submit_verification": "none",
    # The platform's pages with arguments: B's host answers none of them, for A's objects either.
    "admin.verification_queue": "platform",
    "admin.review": on_platform(application),
    "admin.claim": on_platform(application),
    "admin.decide": on_platform(application),
    "admin.withdraw": on_platform(application),
    "admin.review_document": on_platform(
        lambda a: {**application(a), "kind": a.data.documents[-1].kind.value}
    ),
    "billing.index": "none",
    "billing.upgrade": "none",
    "billing.cancel": "none",
    "billing.resume": "none",
    "billing.update_card": "none",
    "billing.change_period": "none",
    "billing.domain": "none",
    "billing.add_domain": "none",
    "billing.check_domain": "none",
    "billing.remove_domain": "none",
    "billing.tls_ask": "platform",
    "billing.webhook": "platform",
    "billing.admin_overview": "platform",
    "billing.admin_overview_csv": "platform",
    "billing.grant": "platform",
    "national.directory": "platform",
    "national.dashboard": "platform",
    "national.admin_dashboard": "platform",
    "national.admin_dashboard_csv": "platform",
    "national.nudges_sent": "platform",
    "gerai.index": "none",
    "gerai.products": officer(unit),
    "gerai.edit_product": officer(gerai_product),
    "gerai.save_settings": officer(unit),
    "gerai.receive": officer(unit),
    "gerai.count": officer(unit),
    "gerai.sell": officer(unit),
    "gerai.close_day": officer(unit),
    "gerai.receipt": officer(sale),
    "gerai.receipt_pdf": officer(sale),
    "gerai.reverse_sale": officer(sale),
    "gerai.credit_owed": "none",
    "gerai.collect_credit": officer(member),
    "gerai.check_receipt": anyone(lambda a: {"token": a.gerai.sale_token}),
    "gerai.consignors": officer(unit),
    "gerai.unit_reports": officer(lambda a: {**unit(a), "fmt": "xlsx"}),
    "gerai.consignor": officer(consignor),
    "gerai.move_consigned": officer(consignor),
    "gerai.settle": officer(consignor),
    "gerai.consignor_statement_pdf": officer(consignor),
    "registers.index": "none",
    # A book's address names a kind of book, never one of A's lines: B's officers see B's own.
    "registers.show": own(lambda a: {"kind": "tamu", "fmt": "xlsx"}),
    # Only the secretary writes: B's chair and treasurer are refused before any line is named.
    "registers.add": Probe(lambda a: {"kind": "tamu"}, expect=403, names_object=False),
    "registers.add_note": "none",
    "rat.index": "none",
    "rat.schedule": "none",
    "rat.member_meetings": "none",
    "rat.meeting": officer(rat_meeting),
    "rat.reschedule": officer(rat_meeting),
    "rat.open_meeting": officer(rat_meeting),
    "rat.close_meeting": officer(rat_meeting),
    "rat.decide": officer(rat_meeting),
    "rat.pack": officer(rat_meeting),
    "rat.attendance": officer(rat_meeting),
    "rat.attendance_count": officer(rat_meeting),
    "rat.arrive": officer(rat_meeting),
    "rat.invitations_page": officer(rat_meeting),
    "rat.mark_invited": officer(rat_meeting),
    "rat.invitation_letters": officer(rat_meeting),
    "admin.home": "platform",
    "admin.new_cooperative": "platform",
    "admin.suspend": on_platform(lambda a: {"tenant_id": a.data.tenant.id}),
    "admin.resume": on_platform(lambda a: {"tenant_id": a.data.tenant.id}),
}


def shared_values(endpoint: str, data: TenantData) -> dict[str, Any] | None:
    """URL arguments for other walks of A's pages, naming A's objects of the shared fixtures:
    {} for a route without arguments, None where the probe needs the isolation walk's own
    objects or links, or names the platform's."""
    how = ROUTES[endpoint]
    if not isinstance(how, Probe):
        return {}
    if how.platform:
        return None
    try:
        return how.values(Alpha(data, extras=None, links={}))  # type: ignore[arg-type]
    except (AttributeError, KeyError):  # a bill, a receipt, a link... only the walk builds
        return None


A_ONLY_NAMES = (
    "Dedi OnlyAlpha",
    "Pinjaman Usaha OnlyAlpha",
    "Fajar OnlyInvitedAlpha",
    "dedi@kopalpha.id",
    "fajar@kopalpha.id",
    "Hendra PengawasAlpha",
    "Apotek OnlyAlpha",
    "Panen OnlyAlpha",
    "Madu OnlyAlpha",
    ALPHA_GERAI_PRODUCT,
    "Joko OnlyAlpha",
    "Bensin OnlyAlpha",
    "Sewa tenda OnlyAlpha",
    ALPHA_EXPENSE[0],
    ALPHA_IMPORTED_NAME,
)
A_NAMES = (*A_ONLY_NAMES, "Ana Alpha", "Koperasi Desa Merah Putih Alpha")
# A's extra amounts as the English pages write them, and as workbook cells hold them.
A_AMOUNTS = tuple(
    shown
    for amount in (ALPHA_BILL_AMOUNT, ALPHA_DEPOSIT, ALPHA_EXPENSE[1])
    for shown in (f"{amount:,}", str(amount))
)


def words_of_a(seen: str, forbidden: tuple[str, ...]) -> list[str]:
    """Which of A's names, amounts and numbers stand as whole words in ``seen``."""
    return [word for word in forbidden if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", seen)]


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "classify the new route(s) in ROUTES"
    assert set(ROUTES) - endpoints == set(), "remove routes that no longer exist"


def test_every_route_with_arguments_is_probed(app):
    unprobed = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.arguments and not isinstance(ROUTES[rule.endpoint], Probe)
    )
    assert unprobed == [], "give these routes a Probe with one of A's objects"


def test_every_view_declares_its_access_rule(app):
    missing = [name for name, view in app.view_functions.items() if not hasattr(view, "access")]
    assert missing == []


@pytest.fixture
def alpha_walk(app: Flask, db, tenants) -> Iterator[Alpha]:
    """Tenant A with one of every object a URL can name, and the links made for them."""
    storage = app.extensions["guyub.storage"]
    extras = build_alpha_extras(db, storage, tenants.a)
    a = tenants.a
    key = app.extensions["guyub.settings"].secret_key
    settings = app.extensions["guyub.settings"]
    dedi = a.users["pengawas"]
    links = {
        "reset": account_token(settings, a.tenant.id, dedi, "reset"),
        "access": account_token(settings, a.tenant.id, extras.member_account, "access"),
        "handoff": make_token(key, "handoff", handoff_payload(a.tenant, dedi)),
        "invite": make_token(key, "invite", {"tid": a.tenant.id, "iid": a.invitations[1].id}),
        "member-card": make_token(
            key, "member-card", {"tid": a.tenant.id, "mid": a.members[-1].id}
        ),
        "receipt": extras.receipt_token,
        "confirm-email": make_token(
            key, "confirm-email", {"rid": extras.registration_id, "email": ALPHA_REGISTRATION_EMAIL}
        ),
    }
    yield Alpha(a, extras, links, gerai=build_alpha_gerai(db, a))
    for file_key in extras.files:
        storage.delete(file_key)


def test_the_walk_names_objects_only_a_has(db, tenants, alpha_walk):
    a = alpha_walk
    by_id = [
        (Member, a.data.members[-1].id),
        (TenantUser, a.data.users["pengawas"].id),
        (TenantUser, a.extras.member_account.id),
        (Invitation, a.data.invitations[1].id),
        (NewsPost, a.data.news[-1].id),
        (NewsPhoto, a.data.news_photo_ids[-1]),
        (Product, a.data.products[-1].id),
        (BoardMember, a.data.board[-1].id),
        (BusinessUnit, a.data.units[-1].id),
        (Document, a.data.documents[-1].id),
        (Account, a.data.accounts[-1].id),
        (Bill, a.extras.bill.id),
        (JournalEntry, a.extras.entry.id),
        (EntryAttachment, a.extras.attachment.id),
        (ShuAllocation, a.extras.allocation_id),
        (LoanProduct, a.extras.loan_product_id),
        (Loan, a.extras.loan_id),
        (GeraiProduct, a.gerai.product_id),
        (Consignor, a.gerai.consignor_id),
    ]
    by_key = [
        select(Receipt.id).where(Receipt.number == a.extras.receipt_number),
        select(Receipt.id).where(Receipt.token == a.extras.receipt_token),
        select(LoanRepayment.id).where(LoanRepayment.number == a.extras.loan_payment_number),
        select(PublishedReport.year).where(PublishedReport.year == a.extras.published_year),
        select(Sale.id).where(Sale.number == a.gerai.sale_number),
        select(Sale.id).where(Sale.token == a.gerai.sale_token),
    ]
    with books_of(db, tenants.a) as in_a, books_of(db, tenants.b) as in_b:
        assert [in_a.get(model, id_) is not None for model, id_ in by_id] == [True] * len(by_id)
        assert [in_b.get(model, id_) for model, id_ in by_id] == [None] * len(by_id)
        assert [in_a.scalar(query) is not None for query in by_key] == [True] * len(by_key)
        assert [in_b.scalar(query) for query in by_key] == [None] * len(by_key)
    assert len(a.data.news[-1].photos) == 1


def readable(response: TestResponse) -> str:
    """What a person reads in the answer: a page's text, a PDF's text, a workbook's cells."""
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if response.mimetype.startswith("image/"):
        return ""  # a photo: its status is the answer
    return text(response)


def probes_of(app: Flask, a: Alpha) -> list[tuple[Probe, str, str]]:
    """Every route with arguments, for each of its methods, with the URL naming A's object."""
    found = []
    with app.test_request_context():  # only to build the URLs: requests run outside it
        for rule in app.url_map.iter_rules():
            how = ROUTES[rule.endpoint]
            if not rule.arguments:
                continue  # no object in this URL (e.g. the "new" form of the same view)
            assert isinstance(how, Probe), rule.rule
            url = rule.build(how.values(a), append_unknown=False)[1]  # type: ignore[index]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
                found.append((how, method, url))
    return found


def ask(client: FlaskClient, token: str, method: str, url: str) -> TestResponse:
    return client.open(url, method=method, data={"csrf_token": token})


def test_b_host_answers_not_found_for_every_object_of_a(app, client_for, alpha_walk):
    """B's chair (the treasurer where the chair may not), and a visitor where the route is
    public, ask for each of A's objects: not found, and nothing of A's in the answer."""
    chair, treasurer, visitor = client_for("beta"), client_for("beta"), client_for("beta")
    login(chair, "ani@kopbeta.id")
    login(treasurer, "bayu@kopbeta.id")
    tokens = {
        id(chair): csrf_token(chair, "/kelola/tim"),
        id(treasurer): csrf_token(treasurer, "/kelola"),
        id(visitor): csrf_token(visitor, "/masuk"),
    }
    forbidden = (*A_NAMES, *A_AMOUNTS, alpha_walk.extras.receipt_number)
    probes = probes_of(app, alpha_walk)
    answers = []
    for probe, method, url in probes:
        response = ask(chair, tokens[id(chair)], method, url)
        if response.status_code == 403:
            response = ask(treasurer, tokens[id(treasurer)], method, url)
        responses = [response]
        if probe.visitors:
            responses.append(ask(visitor, tokens[id(visitor)], method, url))
        for answer in responses:
            # The language form sends the reader back to the path asked for: that echo is theirs.
            seen = readable(answer).replace(url, "")
            answers.append(
                (
                    method,
                    url,
                    answer.status_code,
                    answer.headers.get("Location", probe.location),
                    words_of_a(seen, forbidden),
                )
            )
    expected = [
        (method, url, probe.expect, probe.location, [])
        for probe, method, url in probes
        for _who in range(2 if probe.visitors else 1)
    ]
    assert len(answers) == len(expected)
    wrong = [got for got, want in zip(answers, expected, strict=True) if got != want]
    assert wrong == [], "\n".join(map(str, wrong))


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


def test_on_their_own_hosts_the_probed_urls_find_a_objects(app, client_for, alpha_walk):
    """The walk's pages answered on A's host (the platform's for its own pages) find each
    object: no probe names something that exists nowhere."""
    chair, treasurer, admin = client_for("alpha"), client_for("alpha"), client_for(None)
    login(chair, "ana@kopalpha.id")
    login(treasurer, "bambang@kopalpha.id")
    login(admin, ADMIN_EMAIL)
    missed = []
    for probe, method, url in probes_of(app, alpha_walk):
        if method != "GET" or not probe.names_object:
            continue
        if probe.platform:
            response = admin.get(url)
        elif probe.visitors:  # a link signs its holder in: each is followed by a new visitor
            response = client_for("alpha").get(url)
        else:
            response = chair.get(url)
            if response.status_code == 403:
                response = treasurer.get(url)
        # 409: found, but the action does not apply to it now (a member who has an account).
        if response.status_code not in (200, 302, 409) or response.location == "/masuk":
            missed.append((url, response.status_code, response.location))
    assert missed == [], "\n".join(map(str, missed))
