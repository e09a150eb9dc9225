"""The officers' home: cash, members, this month's collection, arrears, a savings chart."""

from __future__ import annotations

import re
import uuid
from datetime import date

from saas.ledger import operations as ledger
from saas.ledger.rules import Line
from saas.savings import bills, dashboard
from saas.savings.models import PaymentMethod, SavingsKind
from tests.clock import TODAY
from tests.factories import login, text


def test_the_treasurer_sees_money_members_collection_and_a_chart(alpha, db, tenants):
    today = TODAY
    a = tenants.a.tenant
    with db.tenant_session(a.shard, a.schema_name) as session:
        bill = bills.create_bill(
            session, kind=SavingsKind.WAJIB, year=today.year, month=today.month, amount=20_000
        )
        items = [item for item, _member in bills.bill_items(session, bill)]
        bills.pay_items(
            session,
            bill,
            [items[0].id],
            method=PaymentMethod.CASH,
            paid_on=today,
            form_key=uuid.uuid4(),
            officer_id=tenants.a.users["bendahara"].id,
            officer_name="Bambang Alpha",
        )
        session.commit()
    login(alpha, "bambang@kopalpha.id")
    page = text(alpha.get("/kelola"))
    assert re.search(r"<strong>50%</strong><span>of this month's mandatory savings paid", page)
    assert re.search(r"<strong>2</strong><span>active members</span>", page)
    assert '<svg class="chart"' in page
    assert page.count("<rect x=") == 12  # one bar a month (the logo has a rect of its own)
    assert "Now: Rp20,000" in page
    assert "1 month unpaid" in page  # the second member, in the arrears list


def test_the_trend_carries_savings_from_before_the_window(db, tenants):
    a = tenants.a.tenant
    member = tenants.a.members[0]
    with db.tenant_session(a.shard, a.schema_name) as session:
        cash = ledger.account_by_role(session, "cash").id
        sukarela = ledger.account_by_role(session, "savings_sukarela").id
        for day, amount in ((date(2024, 1, 5), 70_000), (date(2026, 6, 5), 30_000)):
            ledger.post_entry(
                session,
                entry_date=day,
                description="x",
                lines=[
                    Line(cash, debit=amount),
                    Line(sukarela, credit=amount, member_id=member.id),
                ],
                idempotency_key=uuid.uuid4(),
            )
        points = dashboard.savings_trend(session, date(2026, 11, 29))
    assert [(p.month, p.savings) for p in points[:2]] == [(12, 70_000), (1, 70_000)]
    assert points[6].month == 6
    assert points[6].savings == 100_000
    assert points[-1].savings == 100_000
    bars = dashboard.chart_bars(points)
    assert bars[-1].height > bars[0].height > 0


def test_members_and_supervisors_do_not_see_the_money_panel(alpha):
    login(alpha, "dedi@kopalpha.id")
    assert '<svg class="chart"' not in text(alpha.get("/kelola"))
