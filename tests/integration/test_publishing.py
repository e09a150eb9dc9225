"""Publishing a closed year's statements: the microsite and the members read them as they were
published; officers choose what goes out and can take it down."""

from __future__ import annotations

import pytest

from tests.factories import book_closed_2025, hidden, login, share_out_2025, text


@pytest.fixture
def shared_2025(db, tenants):
    """Alpha's 2025 closed with Rp500,000 of SHU, shared out at the RAT of 15 March 2026."""
    book_closed_2025(db, tenants.a)
    return share_out_2025(db, tenants.a)


def publish(client, **fields):
    page = text(client.get("/kelola/terbitkan"))
    data = {"csrf_token": hidden(page, "csrf_token"), "year": "2025", **fields}
    return client.post("/kelola/terbitkan", data=data)


@pytest.fixture
def bendahara(alpha):
    login(alpha, "bambang@kopalpha.id")
    return alpha


def test_published_statements_reach_the_microsite_and_the_members(
    bendahara, client_for, shared_2025
):
    done = publish(bendahara, balance_sheet="y", income="y", shu="y")
    assert done.status_code == 302
    visitor = client_for("alpha")
    report = text(visitor.get("/laporan-keuangan/2025"))
    assert 'Total assets</th><td class="num">Rp820,000' in report
    assert "Rp500,000" in report  # the result, and the SHU shared
    assert "Reserve (cadangan)" in report
    assert "(40%)" in report
    assert "15 March 2026" in report or "Mar 15, 2026" in report
    home = text(visitor.get("/"))
    assert "Book year 2025" in home
    assert "Rp820,000" in home
    assert "/laporan-keuangan/2025" in home
    indonesian = client_for("alpha", lang=None)
    assert "Laporan" in text(indonesian.get("/laporan-keuangan/2025"))


def test_officers_choose_what_is_published(bendahara, client_for, shared_2025):
    assert publish(bendahara, income="y").status_code == 302
    report = text(client_for("alpha").get("/laporan-keuangan/2025"))
    assert "Total revenue" in report
    assert "Total assets" not in report
    assert "Reserve (cadangan)" not in report
    # Publishing again replaces what was published.
    assert publish(bendahara, balance_sheet="y").status_code == 302
    report = text(client_for("alpha").get("/laporan-keuangan/2025"))
    assert "Total assets" in report
    assert "Total revenue" not in report


def test_bad_choices_are_refused_on_the_form(bendahara, db, tenants):
    nothing_closed = publish(bendahara, income="y")
    assert nothing_closed.status_code == 422
    book_closed_2025(db, tenants.a)
    nothing = publish(bendahara)
    assert nothing.status_code == 422
    assert "at least one statement" in text(nothing)
    no_shu = publish(bendahara, shu="y")
    assert no_shu.status_code == 422
    assert "has not been shared out yet" in text(no_shu)
    open_year = publish(bendahara, income="y", year="2026")
    assert open_year.status_code == 422
    absurd = publish(bendahara, income="y", year="dua ribu")
    assert absurd.status_code == 422


def test_a_withdrawn_year_is_gone_from_the_microsite(bendahara, client_for, shared_2025):
    publish(bendahara, income="y")
    page = text(bendahara.get("/kelola/terbitkan"))
    gone = bendahara.post(
        "/kelola/terbitkan/2025/tarik", data={"csrf_token": hidden(page, "csrf_token")}
    )
    assert gone.status_code == 302
    visitor = client_for("alpha")
    assert visitor.get("/laporan-keuangan/2025").status_code == 404
    assert "Book year 2025" not in text(visitor.get("/"))
    again = bendahara.post(
        "/kelola/terbitkan/2025/tarik", data={"csrf_token": hidden(page, "csrf_token")}
    )
    assert again.status_code == 404


def test_another_cooperative_and_other_officers(alpha, client_for, shared_2025):
    login(alpha, "ana@kopalpha.id")  # the chair reads the books but does not publish them
    assert alpha.get("/kelola/terbitkan").status_code == 403
    treasurer = client_for("alpha")
    login(treasurer, "bambang@kopalpha.id")
    publish(treasurer, income="y")
    assert client_for("beta").get("/laporan-keuangan/2025").status_code == 404
    assert "Book year 2025" not in text(client_for("beta").get("/laporan-keuangan"))


def test_a_published_shu_is_not_cancelled_under_the_readers(bendahara, db, tenants, shared_2025):
    publish(bendahara, shu="y")
    page = text(bendahara.get(f"/kelola/shu/hasil/{shared_2025}"))
    refused = bendahara.post(
        f"/kelola/shu/hasil/{shared_2025}/batal",
        data={"csrf_token": hidden(page, "csrf_token"), "key": hidden(page, "key"), "reason": "x"},
    )
    assert refused.status_code == 422
    assert "withdraw them first" in text(refused)
