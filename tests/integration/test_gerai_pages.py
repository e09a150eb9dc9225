"""The shop's pages on a phone: the counter adds items by typed code, name or a free amount,
names the buyer, takes payment once however often the form is sent, and refuses bad input on
the form; receipts print and are checked by their token; each role meets its rights."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from saas.accounts import operations as accounts
from saas.accounts.roles import Role
from saas.accounts.tokens import make_token
from saas.gerai import operations as gerai
from saas.gerai.models import GeraiProduct, Sale, SupplierPayment
from saas.microsite.models import BusinessUnit
from saas.payments.operations import save_qris_setting
from tests.clock import TODAY
from tests.factories import PASSWORD, books_of, csrf_from, hidden, login, text
from tests.integration.test_pages_in_indonesian import english_on
from tests.qris_codes import static_payload

KASIR = "kasir@kopalpha.id"


@pytest.fixture
def shop(db, tenants):
    """Alpha's shop (unit 1) with 10 kg of rice at Rp15,000, and a cashier."""
    unit_id = tenants.a.units[0].id
    with books_of(db, tenants.a) as session:
        accounts.create_tenant_user(
            session, name="Kasir Alpha", email=KASIR, role=Role.STAFF, password=PASSWORD
        )
        rice = gerai.save_product(
            session,
            unit_id,
            None,
            gerai.ProductDetails("899100", "Beras Pandan", "kg", 15_000, 12_000, 3, False, True),
        )
        gerai.receive_goods(
            session,
            gerai.Delivery(
                unit_id,
                "Grosir Makmur",
                TODAY,
                SupplierPayment.CASH,
                [gerai.ReceivedLine(rice.id, 10, 12_000)],
                uuid.uuid4(),
                None,
            ),
        )
        session.commit()
        return unit_id, rice.id


@pytest.fixture
def cashier(alpha, shop):
    login(alpha, KASIR)
    return alpha


def counter(client, unit_id: int) -> dict[str, str]:
    """The counter's fresh form: its CSRF token and idempotency key."""
    page = text(client.get(f"/kelola/gerai/{unit_id}"))
    return {"csrf_token": csrf_from_page(page), "key": hidden(page, "key"), "method": "cash"}


def csrf_from_page(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sales_count(db, tenants) -> int:
    with books_of(db, tenants.a) as session:
        return session.scalar(select(func.count()).select_from(Sale))


def test_a_cashier_adds_by_typed_code_and_sells_to_the_public_with_a_receipt(
    cashier, shop, db, tenants
):
    unit_id, rice_id = shop
    form = counter(cashier, unit_id)
    added = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "code": "899100", "quantity": "2"}
    )
    assert added.status_code == 200
    assert f'value="p.{rice_id}.2"' in text(added)
    sold = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "line": f"p.{rice_id}.2", "action": "pay"}
    )
    assert sold.status_code == 302
    receipt = cashier.get(sold.headers["Location"])
    assert "NJ-" in text(receipt)
    assert "Rp30,000" in text(receipt)
    assert "https://wa.me/" in text(receipt)
    with books_of(db, tenants.a) as session:
        assert session.get(GeraiProduct, rice_id).on_hand == 8


def test_the_code_field_opens_the_number_keyboard_and_takes_the_focus(cashier, shop):
    page = text(cashier.get(f"/kelola/gerai/{shop[0]}"))
    field = re.search(r'<input[^>]*name="code"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in field
    assert "autofocus" in field


def test_a_double_submitted_sale_makes_one_sale(cashier, shop, db, tenants):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    first = cashier.post(f"/kelola/gerai/{unit_id}", data=form)
    again = cashier.post(f"/kelola/gerai/{unit_id}", data=form)
    assert first.headers["Location"] == again.headers["Location"]
    assert sales_count(db, tenants) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"code": "899100", "quantity": "0"}, "Enter a quantity from 1 up to 100.000."),
        ({"code": "899100", "quantity": "-3"}, "Enter a quantity from 1 up to 100.000."),
        ({"code": "899100", "quantity": "9999999"}, "Enter a quantity from 1 up to 100.000."),
        ({"free_amount": "-5000"}, "Enter an amount from Rp1 up to Rp1.000.000.000.000."),
        ({"free_amount": "0"}, "Enter an amount from Rp1 up to Rp1.000.000.000.000."),
        ({"code": "000"}, "No product on sale here has the code 000."),
    ],
)
def test_bad_quantities_and_amounts_are_refused_on_the_form(cashier, shop, typed, message):
    unit_id, _rice_id = shop
    response = cashier.post(f"/kelola/gerai/{unit_id}", data={**counter(cashier, unit_id), **typed})
    assert response.status_code == 422
    assert message in text(response)


def test_credit_to_the_public_is_refused_on_the_form(cashier, shop, db, tenants):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    response = cashier.post(f"/kelola/gerai/{unit_id}", data={**form, "method": "credit"})
    assert response.status_code == 422
    assert "Only members may buy on credit." in text(response)
    assert sales_count(db, tenants) == 0


def test_selling_more_than_in_stock_names_the_quantity_on_hand(cashier, shop, db, tenants):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.11", "action": "pay"}
    response = cashier.post(f"/kelola/gerai/{unit_id}", data=form)
    assert response.status_code == 422
    assert "Only 10 of Beras Pandan in stock." in text(response)
    assert sales_count(db, tenants) == 0


def test_a_member_named_by_number_buys_on_credit(cashier, shop, db, tenants):
    unit_id, rice_id = shop
    sri = tenants.a.members[0]
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    response = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "method": "credit", "buyer": sri.number}
    )
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        sale = session.scalar(select(Sale))
        assert (sale.member_id, sale.method.value) == (sri.id, "credit")


def card_code(app, tenant, member) -> str:
    """What a member card's QR code reads: the card's check address with its signed token."""
    secret = app.extensions["guyub.settings"].secret_key
    token = make_token(secret, "member-card", {"tid": tenant.tenant.id, "mid": member.id})
    return f"http://{tenant.tenant.slug}.localhost/kartu/{token}"


def test_a_member_named_by_their_cards_qr_code_buys_on_credit(app, cashier, shop, db, tenants):
    unit_id, rice_id = shop
    sri = tenants.a.members[1]
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    scanned = card_code(app, tenants.a, sri)
    response = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "method": "credit", "buyer": scanned}
    )
    assert response.status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(Sale.member_id)) == sri.id


def test_another_cooperatives_card_names_no_buyer(app, cashier, shop, db, tenants):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    scanned = card_code(app, tenants.b, tenants.b.members[0])
    response = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "method": "credit", "buyer": scanned}
    )
    assert response.status_code == 422
    assert sales_count(db, tenants) == 0


def test_a_qris_sale_shows_the_code_with_its_exact_amount_before_it_is_recorded(
    cashier, shop, db, tenants
):
    unit_id, rice_id = shop
    with books_of(db, tenants.a) as session:
        save_qris_setting(
            session, static_payload(), replace=False, user_id=tenants.a.users["bendahara"].id
        )
        session.commit()
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.2", "action": "pay"}
    shown = cashier.post(f"/kelola/gerai/{unit_id}", data={**form, "method": "qris"})
    assert shown.status_code == 200
    assert 'data-qris-amount="30000"' in text(shown)
    assert sales_count(db, tenants) == 0
    paid = cashier.post(
        f"/kelola/gerai/{unit_id}", data={**form, "method": "qris", "qris_shown": "1"}
    )
    assert paid.status_code == 302
    assert sales_count(db, tenants) == 1


def test_a_qris_sale_without_the_cooperatives_code_is_refused(cashier, shop):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    response = cashier.post(f"/kelola/gerai/{unit_id}", data={**form, "method": "qris"})
    assert response.status_code == 422
    assert "The cooperative has no QRIS code yet." in text(response)


def test_the_receipt_prints_on_a_58mm_roll_and_is_checked_by_its_token(
    cashier, shop, client_for, db, tenants
):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    number = cashier.post(f"/kelola/gerai/{unit_id}", data=form).headers["Location"].split("/")[-1]
    roll = cashier.get(f"/kelola/gerai/nota/{number}.pdf?kertas=58mm")
    assert roll.mimetype == "application/pdf"
    assert number in PdfReader(io.BytesIO(roll.data)).pages[0].extract_text()
    with books_of(db, tenants.a) as session:
        token = session.scalar(select(Sale.token))
    visitor = client_for("alpha")
    assert number in text(visitor.get(f"/nota/{token}"))
    assert visitor.get(f"/nota/{number}").status_code == 404


def test_only_the_chair_the_vice_chair_and_the_treasurer_set_prices(
    alpha, client_for, shop, db, tenants
):
    unit_id, rice_id = shop
    supervisor = client_for("alpha")
    login(supervisor, "dedi@kopalpha.id")  # reads the stock and sells nothing
    assert supervisor.get(f"/kelola/gerai/{unit_id}/produk").status_code == 200
    assert supervisor.get(f"/kelola/gerai/{unit_id}").status_code == 403
    assert supervisor.get(f"/kelola/gerai/{unit_id}/produk/{rice_id}").status_code == 403
    login(alpha, "bambang@kopalpha.id")
    page = alpha.get(f"/kelola/gerai/{unit_id}/produk/{rice_id}")
    data = {
        "csrf_token": csrf_from(page),
        "code": "899100",
        "name": "Beras Pandan",
        "measure": "kg",
        "price": "16.000",
        "is_active": "y",
    }
    assert alpha.post(f"/kelola/gerai/{unit_id}/produk/{rice_id}", data=data).status_code == 302
    with books_of(db, tenants.a) as session:
        assert session.get(GeraiProduct, rice_id).price == 16_000


def test_a_cashier_sells_but_sets_no_prices(cashier, shop):
    unit_id, rice_id = shop
    assert cashier.get(f"/kelola/gerai/{unit_id}").status_code == 200
    assert cashier.get(f"/kelola/gerai/{unit_id}/produk/{rice_id}").status_code == 403
    assert cashier.get(f"/kelola/gerai/{unit_id}/terima").status_code == 403


def test_a_code_taken_by_another_product_is_refused_on_the_form(alpha, shop):
    unit_id, _rice_id = shop
    login(alpha, "bambang@kopalpha.id")
    page = alpha.get(f"/kelola/gerai/{unit_id}/produk/baru")
    data = {
        "csrf_token": csrf_from(page),
        "code": "899100",
        "name": "Gula",
        "measure": "kg",
        "price": "18000",
    }
    response = alpha.post(f"/kelola/gerai/{unit_id}/produk/baru", data=data)
    assert response.status_code == 422
    assert "Another product of this unit has this code." in text(response)


def test_goods_received_on_the_form_raise_the_stock(alpha, shop, db, tenants):
    unit_id, rice_id = shop
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get(f"/kelola/gerai/{unit_id}/terima"))
    data = {
        "csrf_token": csrf_from_page(page),
        "key": hidden(page, "key"),
        "supplier": "Grosir Makmur",
        "received_on": TODAY.isoformat(),
        "payment": "payable",
        "lines-0-product": str(rice_id),
        "lines-0-quantity": "5",
        "lines-0-unit_cost": "13.000",
    }
    assert alpha.post(f"/kelola/gerai/{unit_id}/terima", data=data).status_code == 302
    with books_of(db, tenants.a) as session:
        rice = session.get(GeraiProduct, rice_id)
        assert (rice.on_hand, rice.stock_value) == (15, 185_000)


def test_a_day_closed_at_the_counter_is_closed_once(cashier, shop):
    unit_id, rice_id = shop
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.1", "action": "pay"}
    cashier.post(f"/kelola/gerai/{unit_id}", data=form)
    page = text(cashier.get(f"/kelola/gerai/{unit_id}/tutup-hari"))
    assert "Rp15,000" in page
    data = {"csrf_token": csrf_from_page(page), "key": hidden(page, "key"), "counted": "15000"}
    assert cashier.post(f"/kelola/gerai/{unit_id}/tutup-hari", data=data).status_code == 302
    closed = cashier.post(
        f"/kelola/gerai/{unit_id}/tutup-hari", data={**data, "key": str(uuid.uuid4())}
    )
    assert closed.status_code == 422
    assert "This day is closed already." in text(closed)


def test_a_unit_whose_shop_has_products_stays_when_asked_to_be_removed(alpha, shop, db, tenants):
    unit_id, _rice_id = shop
    login(alpha, "bambang@kopalpha.id")
    token = csrf_from(alpha.get("/kelola/unit"))
    response = alpha.post(f"/kelola/unit/{unit_id}/hapus", data={"csrf_token": token})
    assert response.status_code == 302
    assert "This unit&#39;s shop has products or sales" in text(alpha.get("/kelola/unit"))
    with books_of(db, tenants.a) as session:
        assert session.get(BusinessUnit, unit_id) is not None


def test_a_stock_count_on_the_form_posts_the_difference(alpha, shop, db, tenants):
    unit_id, rice_id = shop
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get(f"/kelola/gerai/{unit_id}/opname"))
    assert "Beras Pandan" in page
    data = {
        "csrf_token": csrf_from_page(page),
        "key": hidden(page, "key"),
        "counted_on": TODAY.isoformat(),
        "against": "cogs",
        "lines-0-product": str(rice_id),
        "lines-0-counted": "9",
    }
    assert alpha.post(f"/kelola/gerai/{unit_id}/opname", data=data).status_code == 302
    assert alpha.post(f"/kelola/gerai/{unit_id}/opname", data=data).status_code == 302
    with books_of(db, tenants.a) as session:
        rice = session.get(GeraiProduct, rice_id)
        assert (rice.on_hand, rice.stock_value) == (9, 108_000)


def test_the_counter_its_refusals_and_its_receipt_read_in_indonesian(client_for, shop):
    unit_id, rice_id = shop
    client = client_for("alpha", lang="id")
    login(client, KASIR)
    form = {**counter(client, unit_id), "line": f"p.{rice_id}.1"}
    refused = client.post(f"/kelola/gerai/{unit_id}", data={**form, "quantity": "0"})
    assert "Masukkan jumlah dari 1 sampai 100.000." in text(refused)
    pages = [
        refused,
        client.get(f"/kelola/gerai/{unit_id}/produk"),
        client.get(f"/kelola/gerai/{unit_id}/tutup-hari"),
        client.get(
            client.post(f"/kelola/gerai/{unit_id}", data={**form, "action": "pay"}).location
        ),
    ]
    assert "Rp15.000" in text(pages[-1])
    assert [english_on(text(page)) for page in pages] == [[], [], [], []]


@pytest.mark.parametrize(
    "sent",
    [
        {"action": "add-²"},
        {"action": "remove-²"},
        {"line": "p.².1"},
        {"line": "f.5000.³.kantong"},
        {"action": "add-99999999999999999999999"},
    ],
)
def test_digits_python_reads_but_no_number_holds_are_no_error(cashier, shop, sent):
    unit_id, _rice_id = shop
    response = cashier.post(f"/kelola/gerai/{unit_id}", data={**counter(cashier, unit_id), **sent})
    assert response.status_code == 200
    assert "The cart is empty." in text(response)


def test_a_delivery_naming_no_product_is_refused_on_the_form(alpha, shop):
    unit_id, _rice_id = shop
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get(f"/kelola/gerai/{unit_id}/terima"))
    data = {
        "csrf_token": csrf_from_page(page),
        "key": hidden(page, "key"),
        "supplier": "Grosir Makmur",
        "received_on": TODAY.isoformat(),
        "payment": "cash",
        "lines-0-product": "²",
        "lines-0-quantity": "5",
        "lines-0-unit_cost": "13000",
    }
    response = alpha.post(f"/kelola/gerai/{unit_id}/terima", data=data)
    assert response.status_code == 422
    assert "Choose a product of this unit." in text(response)


def test_a_member_pays_back_what_they_bought_on_credit_and_no_more(cashier, shop, db, tenants):
    unit_id, rice_id = shop
    sri = tenants.a.members[0]
    form = {**counter(cashier, unit_id), "line": f"p.{rice_id}.2", "action": "pay"}
    cashier.post(f"/kelola/gerai/{unit_id}", data={**form, "method": "credit", "buyer": sri.number})
    page = text(cashier.get("/kelola/gerai/piutang"))
    assert "Rp30,000" in page
    prefix = f"m{sri.id}"
    data = {
        "csrf_token": csrf_from_page(page),
        f"{prefix}-key": hidden(page, f"{prefix}-key"),
        f"{prefix}-method": "cash",
    }
    url = f"/kelola/gerai/piutang/{sri.id}"
    too_much = cashier.post(url, data={**data, f"{prefix}-amount": "40000"})
    assert too_much.status_code == 422
    assert "This member owes Rp30,000." in text(too_much)
    assert cashier.post(url, data={**data, f"{prefix}-amount": "30.000"}).status_code == 302
    assert cashier.post(url, data={**data, f"{prefix}-amount": "30.000"}).status_code == 302
    assert "No member owes the shops anything." in text(cashier.get("/kelola/gerai/piutang"))
