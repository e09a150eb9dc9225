"""The statements on screen: they balance, follow the period asked and read in both languages."""

from __future__ import annotations

import html
import io
import re
import uuid
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from saas.blueprints.books import ledger as ledger_views
from saas.blueprints.reports import statements
from saas.ledger import operations as ledger
from saas.ledger.models import Account
from saas.ledger.queries import balance_sheet, cash_flow, equity_changes, income_statement
from saas.ledger.rules import Line
from saas.savings.models import SavingsKind
from saas.savings.queries import savings_summary
from tests.factories import login, text


def account(session, code):
    return session.scalar(select(Account.id).where(Account.code == code))


def post_all(session, postings):
    """Post each (date, [(account code, debit, credit, member id)]) and commit."""
    for day, lines in postings:
        ledger.post_entry(
            session,
            entry_date=day,
            description=f"uji {day.isoformat()}",
            lines=[Line(account(session, c), d, k, m) for c, d, k, m in lines],
            idempotency_key=uuid.uuid4(),
        )
    session.commit()


@pytest.fixture
def year_of_books(db, tenants):
    """Voluntary savings in, electricity paid, other income earned, in 2026."""
    a = tenants.a.tenant
    member = tenants.a.members[0]
    with db.tenant_session(a.shard, a.schema_name) as session:
        post_all(
            session,
            [
                (date(2026, 3, 2), [("1-101", 100_000, 0, None), ("2-101", 0, 100_000, member.id)]),
                (date(2026, 4, 9), [("6-102", 30_000, 0, None), ("1-101", 0, 30_000, None)]),
                (date(2026, 5, 20), [("1-102", 50_000, 0, None), ("4-199", 0, 50_000, None)]),
                (date(2025, 12, 30), [("6-102", 7_000, 0, None), ("1-101", 0, 7_000, None)]),
            ],
        )


def amount_after(label, page):
    found = re.search(re.escape(label) + r'</(?:td|th)><td class="num">([^<]+)</td>', page)
    return found.group(1) if found else None


def test_the_balance_sheet_balances_and_the_phu_covers_the_period(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    page = text(
        alpha.get("/kelola/laporan", query_string={"dari": "2026-01-01", "per": "2026-06-30"})
    )
    assert amount_after("Cash", page) == "Rp63,000"  # 100,000 - 30,000 - 7,000
    assert amount_after("Bank", page) == "Rp50,000"
    assert amount_after("Total assets", page) == "Rp113,000"
    assert amount_after("Voluntary savings (sukarela)", page) == "Rp100,000"
    # 2025's result (December's electricity) is carried in the undistributed SHU line.
    assert amount_after("Undistributed SHU", page) == "-Rp7,000"
    assert amount_after("SHU of the current year", page) == "Rp20,000"
    assert amount_after("Total liabilities and equity", page) == "Rp113,000"
    assert "does not balance" not in page
    # PHU for 2026 only: December 2025's electricity is not in it.
    assert amount_after("Total revenue", page) == "Rp50,000"
    assert amount_after("Total expenses", page) == "Rp30,000"
    assert amount_after("Result (SHU before distribution)", page) == "Rp20,000"


def test_a_balance_sheet_for_an_earlier_date_leaves_later_postings_out(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan", query_string={"per": "2026-03-31"}))
    assert amount_after("Total assets", page) == "Rp93,000"
    assert amount_after("Bank", page) is None


def test_statements_read_in_indonesian(client_for, year_of_books):
    client = client_for("alpha", lang="id")
    login(client, "bambang@kopalpha.id")
    page = text(client.get("/kelola/laporan", query_string={"per": "2026-06-30"}))
    assert amount_after("Kas", page) == "Rp63.000"
    assert amount_after("Simpanan sukarela", page) == "Rp100.000"


def test_the_trial_balance_totals_agree(alpha, year_of_books):
    login(alpha, "dedi@kopalpha.id")  # supervisors read the books
    page = text(alpha.get("/kelola/laporan/neraca-saldo", query_string={"per": "2026-12-31"}))
    totals = re.search(r'Total</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>', page)
    # 187,000 posted here, the fixtures' grant of November (1,000,000) and their two expenses
    assert totals.group(1) == totals.group(2) == "Rp1,222,000"


def test_a_bad_date_is_reported_and_today_is_shown(alpha):
    login(alpha, "bambang@kopalpha.id")
    response = alpha.get("/kelola/laporan", query_string={"per": "31-02-2026"})
    assert response.status_code == 422
    assert "Not a valid date value." in text(response)
    assert "Statement of financial position (neraca) on" in text(response)  # today's, meanwhile
    response = alpha.get(
        "/kelola/laporan", query_string={"dari": "2026-06-01", "per": "2026-01-01"}
    )
    assert response.status_code == 422
    assert "The end date comes before the start date." in text(response)


def test_members_cannot_open_the_statements(alpha):
    login(alpha, "citra@kopalpha.id")
    assert alpha.get("/kelola/laporan").status_code == 403


def test_the_statements_download_as_pdf_and_as_excel_with_the_same_figures(alpha, year_of_books):
    login(alpha, "bambang@kopalpha.id")
    period = {"dari": "2026-01-01", "per": "2026-06-30"}
    pdf = alpha.get("/kelola/laporan/unduh.pdf", query_string=period)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "laporan-alpha-2026-06-30.pdf" in pdf.headers["Content-Disposition"]
    book = load_workbook(
        io.BytesIO(alpha.get("/kelola/laporan/unduh.xlsx", query_string=period).data)
    )
    position = {
        row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if len(row) > 1
    }
    assert position["Cash"] == 63_000
    assert position["Total assets"] == position["Total liabilities and equity"] == 113_000
    results = {row[0]: row[1] for row in book["PHU"].iter_rows(values_only=True) if len(row) > 1}
    assert results["Result (SHU before distribution)"] == 20_000
    trial = list(book.worksheets[2].iter_rows(values_only=True))
    assert sum(r[1] for r in trial[1:]) == sum(r[2] for r in trial[1:])


# -- changes in equity, cash flow, general ledger, savings summary --------------------------------


@pytest.fixture
def half_year(db, tenants, year_of_books):
    """On top of year_of_books: members' principal and mandatory savings, a grant, equipment,
    money moved between cash and bank, a member's principal paid back, a fee paid partly in
    cash and partly into the bank; and mandatory savings from 2025."""
    a = tenants.a.tenant
    sri, joko = (member.id for member in tenants.a.members)
    with db.tenant_session(a.shard, a.schema_name) as session:
        post_all(
            session,
            [
                (date(2025, 11, 15), [("1-101", 50_000, 0, None), ("3-102", 0, 50_000, sri)]),
                (
                    date(2026, 2, 1),
                    [
                        ("1-101", 200_000, 0, None),
                        ("3-101", 0, 100_000, sri),
                        ("3-101", 0, 100_000, joko),
                    ],
                ),
                (date(2026, 2, 15), [("1-101", 20_000, 0, None), ("3-102", 0, 20_000, sri)]),
                (date(2026, 6, 10), [("1-102", 500_000, 0, None), ("3-104", 0, 500_000, None)]),
                (date(2026, 6, 11), [("1-201", 300_000, 0, None), ("1-102", 0, 300_000, None)]),
                (date(2026, 6, 12), [("1-102", 40_000, 0, None), ("1-101", 0, 40_000, None)]),
                (date(2026, 6, 20), [("3-101", 100_000, 0, joko), ("1-101", 0, 100_000, None)]),
                (
                    date(2026, 6, 25),
                    [
                        ("1-101", 30_000, 0, None),
                        ("1-102", 20_000, 0, None),
                        ("4-102", 0, 50_000, None),
                    ],
                ),
            ],
        )


FIRST_HALF = {"dari": "2026-01-01", "per": "2026-06-30"}


def rows_of(page):
    """Each table row of the page as the plain texts of its cells."""
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
        if (cells := re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S))
    ]


def row_of(label, page):
    """The cells after the first of the row that starts with ``label``."""
    return next((row[1:] for row in rows_of(page) if row[0] == label), None)


def block_of(label, page):
    """The amounts of the four rows under the heading ``label``: an equity component's."""
    rows = rows_of(page)
    start = rows.index([label])
    return [row[-1] for row in rows[start + 1 : start + 5]]


def continued_row_of(label, page):
    """The cells after ``label`` in its row and the row that continues it (a member's savings:
    total, then pokok, wajib and sukarela)."""
    rows = rows_of(page)
    start = next(i for i, row in enumerate(rows) if row[0] == label)
    return rows[start][1:] + rows[start + 1]


def ledger_lines(page):
    """The general ledger's lines: date, entry and member; then debit, credit and balance."""
    rows = rows_of(page)
    return [(row[0], *rows[i + 1]) for i, row in enumerate(rows) if " · #" in row[0]]


def sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def tenant_account(db, tenant, code):
    with db.tenant_session(tenant.shard, tenant.schema_name) as session:
        return account(session, code)


def test_changes_in_equity_add_up_to_the_equity_of_the_balance_sheet(alpha, half_year):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan/perubahan-ekuitas", query_string=FIRST_HALF))
    # opening, increases, decreases, closing
    assert block_of("Principal savings (pokok)", page) == [
        "Rp0",
        "Rp200,000",
        "Rp100,000",
        "Rp100,000",
    ]
    assert block_of("Mandatory savings (wajib)", page) == [
        "Rp50,000",
        "Rp20,000",
        "Rp0",
        "Rp70,000",
    ]
    assert block_of("Grants", page) == ["Rp0", "Rp500,000", "Rp0", "Rp500,000"]
    assert row_of("Reserve (cadangan)", page) == ["Rp0"]  # no movement: its balance only
    # 2025's electricity before the period is undistributed SHU, as in the neraca.
    assert row_of("Undistributed SHU", page) == ["-Rp7,000"]
    # The period's SHU: 50,000 + 50,000 - 30,000.
    assert block_of("SHU of the period", page) == ["Rp0", "Rp70,000", "Rp0", "Rp70,000"]
    assert block_of("Total equity", page) == ["Rp43,000", "Rp790,000", "Rp100,000", "Rp733,000"]
    sheet = text(alpha.get("/kelola/laporan", query_string=FIRST_HALF))
    assert amount_after("Total equity", sheet) == "Rp733,000"


@pytest.mark.parametrize("end", [date(2025, 12, 31), date(2026, 3, 31), date(2026, 11, 30)])
def test_the_equity_statement_opens_and_closes_on_the_balance_sheets_equity(
    db, tenants, half_year, end
):
    a = tenants.a.tenant
    start = date(end.year, 1, 1)
    with db.tenant_session(a.shard, a.schema_name) as session:
        statement = equity_changes(session, start, end)
        assert statement.total.closing == balance_sheet(session, end).equity_total
        before = balance_sheet(session, start - timedelta(days=1)).equity_total
        assert statement.total.opening == before


def test_the_cash_flow_explains_the_change_in_cash_and_bank(alpha, half_year):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan/arus-kas", query_string=FIRST_HALF))
    assert row_of("Cash and bank at the start", page) == ["Rp43,000"]  # 50,000 - 7,000 in 2025
    assert row_of("Net cash from operations", page) == ["Rp70,000"]
    assert row_of("Net cash from investing", page) == ["-Rp300,000"]
    assert row_of("Net cash from financing", page) == ["Rp720,000"]
    assert row_of("Net change in cash", page) == ["Rp490,000"]
    assert row_of("Cash and bank at the end", page) == ["Rp533,000"]
    rows = rows_of(page)
    assert ["Principal savings (pokok)", "Rp200,000"] in rows  # in, and out again: both shown
    assert ["Principal savings (pokok)", "-Rp100,000"] in rows
    assert ["Administration fees", "Rp50,000"] in rows  # paid partly in cash, partly to the bank
    assert ["Equipment and furniture", "-Rp300,000"] in rows
    assert not any(row[0] in ("Cash", "Bank") for row in rows)  # the transfer is no flow
    assert "does not balance" not in page
    balance = text(alpha.get("/kelola/laporan", query_string=FIRST_HALF))
    assert amount_after("Cash", balance) == "Rp223,000"
    assert amount_after("Bank", balance) == "Rp310,000"  # together 533,000


def test_money_moved_to_a_sub_account_of_cash_is_no_flow_but_spending_it_is(db, tenants, half_year):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        cash = session.get(Account, account(session, "1-101"))
        session.add(Account(code="1-101-1", name="Kas gerai", kind=cash.kind, parent_id=cash.id))
        session.flush()
        post_all(
            session,
            [
                (date(2026, 6, 26), [("1-101-1", 60_000, 0, None), ("1-101", 0, 60_000, None)]),
                (date(2026, 6, 27), [("6-107", 25_000, 0, None), ("1-101-1", 0, 25_000, None)]),
            ],
        )
        statement = cash_flow(session, date(2026, 1, 1), date(2026, 6, 30))
    assert statement.closing - statement.opening == statement.net_flow == 490_000 - 25_000
    assert statement.reconciles
    operating = statement.sections[0]
    assert [(line.account.code, line.outflow) for line in operating.payments] == [
        ("6-102", 30_000),
        ("6-107", 25_000),
    ]


def test_the_general_ledger_runs_the_balance_line_by_line(alpha, db, tenants, half_year):
    login(alpha, "bambang@kopalpha.id")
    cash = tenant_account(db, tenants.a.tenant, "1-101")
    page = text(alpha.get(f"/kelola/buku-besar/{cash}", query_string=FIRST_HALF))
    assert "General ledger of 1-101 Cash from" in page
    assert row_of("Opening balance", page) == ["Rp43,000"]
    assert [line[1:] for line in ledger_lines(page)] == [
        ("Rp200,000", "", "Rp243,000"),
        ("Rp20,000", "", "Rp263,000"),
        ("Rp100,000", "", "Rp363,000"),
        ("", "Rp30,000", "Rp333,000"),
        ("", "Rp40,000", "Rp293,000"),
        ("", "Rp100,000", "Rp193,000"),
        ("Rp30,000", "", "Rp223,000"),
    ]
    assert row_of("Closing balance", page) == ["Rp223,000"]
    pokok = tenant_account(db, tenants.a.tenant, "3-101")
    page = text(alpha.get(f"/kelola/buku-besar/{pokok}", query_string=FIRST_HALF))
    sri, joko = tenants.a.members
    assert [line[0].split(" ", 5)[-1] for line in ledger_lines(page)] == [
        f"uji 2026-02-01 · {sri.number} {sri.name}",
        f"uji 2026-02-01 · {joko.number} {joko.name}",
        f"uji 2026-06-20 · {joko.number} {joko.name}",
    ]


def test_a_long_ledger_pages_back_from_the_newest_lines(alpha, db, tenants, half_year, monkeypatch):
    monkeypatch.setattr(ledger_views, "PAGE_SIZE", 3)
    login(alpha, "bambang@kopalpha.id")
    cash = tenant_account(db, tenants.a.tenant, "1-101")
    url = f"/kelola/buku-besar/{cash}"
    pages, balances = [], []
    query = dict(FIRST_HALF)
    while True:
        page = text(alpha.get(url, query_string=query))
        pages.append(ledger_lines(page))
        balances.append(row_of("Balance brought forward", page) or row_of("Opening balance", page))
        older = re.search(r'href="[^"]*sebelum=(\d+)[^"]*">← Older lines', page)
        if older is None:
            break
        assert "Latest lines" in page or len(pages) == 1
        query["sebelum"] = older.group(1)
    assert [len(lines) for lines in pages] == [3, 3, 1]
    assert balances == [["Rp333,000"], ["Rp243,000"], ["Rp43,000"]]  # the opening, on the last
    assert pages[1][-1][-1] == balances[0][0]  # the older page ends where the newer one starts
    for line in ("abc", str(2**63)):
        assert alpha.get(url, query_string={**FIRST_HALF, "sebelum": line}).status_code == 404
    other = tenant_account(db, tenants.a.tenant, "1-102")
    foreign_line = {**FIRST_HALF, "sebelum": query["sebelum"]}
    assert alpha.get(f"/kelola/buku-besar/{other}", query_string=foreign_line).status_code == 404


def test_choosing_an_account_opens_its_ledger_and_a_bad_choice_is_reported(alpha, db, tenants):
    login(alpha, "dedi@kopalpha.id")  # supervisors read the books
    chooser = alpha.get("/kelola/buku-besar")
    assert chooser.status_code == 200
    assert "1-101 Cash" in text(chooser)
    cash = tenant_account(db, tenants.a.tenant, "1-101")
    response = alpha.get("/kelola/buku-besar", query_string={"akun": cash, **FIRST_HALF})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/kelola/buku-besar/{cash}?dari=2026-01-01&per=2026-06-30"
    )
    for bad in ("abc", "999999"):
        response = alpha.get("/kelola/buku-besar", query_string={"akun": bad})
        assert response.status_code == 422
        assert "Choose an account from the list." in text(response)
    header = tenant_account(db, tenants.a.tenant, "1-100")
    for account_id in (header, 10_000, 2**63):
        assert alpha.get(f"/kelola/buku-besar/{account_id}").status_code == 404
    assert alpha.get("/kelola/buku-besar/abc").status_code == 404


def test_an_account_of_another_cooperative_is_not_found(alpha, beta, db, tenants):
    b = tenants.b.tenant
    with db.tenant_session(b.shard, b.schema_name) as session:
        header = session.get(Account, account(session, "1-100"))
        # Alpha has one account of its own: Beta's second one has an id Alpha's chart lacks.
        ledger.add_account(session, parent=header, code="1-108", name="Kas kecil Beta")
        beta_only = ledger.add_account(session, parent=header, code="1-109", name="Kas Beta")
    login(beta, "ani@kopbeta.id")
    assert beta.get(f"/kelola/buku-besar/{beta_only.id}").status_code == 200
    login(alpha, "bambang@kopalpha.id")
    for url in ("/kelola/buku-besar/{}", "/kelola/buku-besar/{}.xlsx"):
        response = alpha.get(url.format(beta_only.id))
        assert response.status_code == 404
        assert "Kas Beta" not in text(response)


def test_the_savings_summary_matches_the_savings_accounts(alpha, tenants, half_year):
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan/rekap-simpanan", query_string={"per": "2026-06-30"}))
    sri, joko = tenants.a.members
    # pokok, wajib, sukarela, total
    assert continued_row_of(f"{sri.number} {sri.name}", page) == [
        "Rp270,000",
        "Rp100,000",
        "Rp70,000",
        "Rp100,000",
    ]
    assert continued_row_of(f"{joko.number} {joko.name}", page) == ["Rp0", "Rp0", "Rp0", "Rp0"]
    assert continued_row_of("Total", page) == ["Rp270,000", "Rp100,000", "Rp70,000", "Rp100,000"]
    assert "Not in any member" not in page
    earlier = text(alpha.get("/kelola/laporan/rekap-simpanan", query_string={"per": "2025-12-31"}))
    assert continued_row_of("Total", earlier) == ["Rp50,000", "Rp0", "Rp50,000", "Rp0"]


def test_savings_on_no_members_name_are_shown_apart(alpha, db, tenants, half_year):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        post_all(
            session, [(date(2026, 6, 1), [("1-101", 5_000, 0, None), ("2-101", 0, 5_000, None)])]
        )
    with db.tenant_session(a.shard, a.schema_name) as session:
        summary = savings_summary(session, date(2026, 6, 30))
        assert (
            summary.ledger[SavingsKind.SUKARELA]
            == balance_sheet(session, date(2026, 6, 30)).liabilities.total
        )
    assert summary.totals[SavingsKind.SUKARELA] == 100_000
    assert summary.unattributed == {
        SavingsKind.POKOK: 0,
        SavingsKind.WAJIB: 0,
        SavingsKind.SUKARELA: 5_000,
    }
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola/laporan/rekap-simpanan", query_string={"per": "2026-06-30"}))
    assert continued_row_of("Not in any member's name", page) == [
        "Rp5,000",
        "Rp0",
        "Rp0",
        "Rp5,000",
    ]
    assert continued_row_of("Savings accounts in the books", page) == [
        "Rp275,000",
        "Rp100,000",
        "Rp70,000",
        "Rp105,000",
    ]


@pytest.mark.parametrize(
    ("path", "label", "amounts"),
    [
        ("laporan/perubahan-ekuitas", "Total equity", (43_000, 790_000, 100_000, 733_000)),
        ("laporan/arus-kas", "Cash and bank at the end", (533_000,)),
        ("laporan/rekap-simpanan", "Total", (100_000, 70_000, 100_000, 270_000)),
        ("buku-besar/{cash}", "Closing balance", (350_000, 170_000, 223_000)),
    ],
)
def test_every_report_downloads_as_pdf_and_excel_with_its_figures(
    alpha, db, tenants, half_year, path, label, amounts
):
    login(alpha, "bambang@kopalpha.id")
    path = "/kelola/" + path.format(cash=tenant_account(db, tenants.a.tenant, "1-101"))
    pdf = alpha.get(f"{path}.pdf", query_string=FIRST_HALF)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "-alpha-2026-06-30.pdf" in pdf.headers["Content-Disposition"]
    xlsx = alpha.get(f"{path}.xlsx", query_string=FIRST_HALF)
    assert "-alpha-2026-06-30.xlsx" in xlsx.headers["Content-Disposition"]
    row = [row for row in sheet_rows(xlsx) if label in row][-1]  # below any header of that name
    assert row[-len(amounts) :] == amounts


def test_the_reports_read_in_indonesian(client_for, db, tenants, half_year):
    client = client_for("alpha", lang="id")
    login(client, "bambang@kopalpha.id")
    equity = text(client.get("/kelola/laporan/perubahan-ekuitas", query_string=FIRST_HALF))
    assert "Laporan Perubahan Ekuitas" in equity
    assert block_of("Simpanan pokok", equity) == ["Rp0", "Rp200.000", "Rp100.000", "Rp100.000"]
    flow = text(client.get("/kelola/laporan/arus-kas", query_string=FIRST_HALF))
    assert "Laporan Arus Kas" in flow
    assert row_of("Saldo kas dan bank akhir periode", flow) == ["Rp533.000"]
    cash = tenant_account(db, tenants.a.tenant, "1-101")
    book = text(client.get(f"/kelola/buku-besar/{cash}", query_string=FIRST_HALF))
    assert "Buku Besar" in book
    assert row_of("Saldo akhir", book) == ["Rp223.000"]
    savings = text(client.get("/kelola/laporan/rekap-simpanan", query_string=FIRST_HALF))
    assert "Rekap Simpanan" in savings
    index = text(client.get("/kelola/laporan"))
    for name in ("Laporan Perubahan Ekuitas", "Laporan Arus Kas", "Buku Besar", "Rekap Simpanan"):
        assert name in index


REPORTS = (
    "laporan/perubahan-ekuitas",
    "laporan/arus-kas",
    "laporan/rekap-simpanan",
    "buku-besar/{cash}",
)
BACKWARDS = {"dari": "2026-06-01", "per": "2026-01-01"}


@pytest.mark.parametrize("path", [*REPORTS, "buku-besar"])
def test_bad_dates_are_reported_next_to_the_field(alpha, db, tenants, path):
    login(alpha, "bambang@kopalpha.id")
    path = "/kelola/" + path.format(cash=tenant_account(db, tenants.a.tenant, "1-101"))
    for query, message in (
        ({"per": "31-02-2026"}, "Not a valid date value."),
        (BACKWARDS, "The end date comes before the start date."),
    ):
        response = alpha.get(path, query_string=query)
        assert response.status_code == 422
        assert message in text(response)


@pytest.mark.parametrize("path", [*REPORTS, "laporan/unduh"])
def test_a_download_asked_with_bad_dates_is_refused(alpha, db, tenants, path):
    login(alpha, "bambang@kopalpha.id")
    path = "/kelola/" + path.format(cash=tenant_account(db, tenants.a.tenant, "1-101"))
    for fmt in ("pdf", "xlsx"):
        assert alpha.get(f"{path}.{fmt}", query_string=BACKWARDS).status_code == 400


def test_a_period_too_long_for_a_pdf_offers_excel_only(alpha, db, tenants, half_year, monkeypatch):
    monkeypatch.setitem(statements.DOWNLOAD_LIMITS, "pdf", 5)
    login(alpha, "bambang@kopalpha.id")
    cash = tenant_account(db, tenants.a.tenant, "1-101")
    url = f"/kelola/buku-besar/{cash}"
    page = text(alpha.get(url, query_string=FIRST_HALF))
    assert "This report has 7 lines, more than a PDF holds (5)." in page
    assert f"{url}.pdf" not in page
    assert f"{url}.xlsx" in page
    assert alpha.get(f"{url}.pdf", query_string=FIRST_HALF).status_code == 400
    june = {"dari": "2026-06-01", "per": "2026-06-30"}  # three lines
    assert alpha.get(f"{url}.pdf", query_string=june).status_code == 200
    monkeypatch.setitem(statements.DOWNLOAD_LIMITS, "pdf", 1)
    savings = text(alpha.get("/kelola/laporan/rekap-simpanan", query_string=FIRST_HALF))
    assert "This report has 2 lines, more than a PDF holds (1)." in savings


def test_members_cannot_open_the_other_reports(alpha):
    login(alpha, "citra@kopalpha.id")
    for path in (
        "laporan/perubahan-ekuitas",
        "laporan/arus-kas.pdf",
        "buku-besar",
        "buku-besar/1",
        "laporan/rekap-simpanan",
    ):
        assert alpha.get(f"/kelola/{path}").status_code == 403


def test_a_period_inside_the_year_opens_its_shu_with_the_year_so_far(db, tenants, half_year):
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        first_half = income_statement(session, date(2026, 1, 1), date(2026, 6, 30)).result
        statement = equity_changes(session, date(2026, 7, 1), date(2026, 9, 30))
        assert statement.result.opening == first_half
        sheet = balance_sheet(session, date(2026, 9, 30))
        assert statement.result.closing == sheet.year_result  # the neraca's line, the same
