"""Every date a person can type is bounded: year 1 or 9999 gets a clear message on the page it
came from, never a server error."""

from __future__ import annotations

import pytest

from tests.factories import login, text
from tests.integration.test_isolation import shared_values

ODD_PERIODS = [
    {"dari": "0001-01-01", "per": "0001-12-31"},
    {"dari": "2026-01-01", "per": "9999-12-31"},
    {"dari": "1900-02-30", "per": "2026-13-01"},
]


def report_urls(app, tenants) -> list[str]:
    """Every report and statement that reads a period from its query string."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith(("reports.", "members.member_statement")):
                continue
            if "GET" not in rule.methods:
                continue
            args = shared_values(rule.endpoint, tenants.a)
            if args is None or set(rule.arguments) - set(args):
                continue
            urls.append(rule.build(args, append_unknown=False)[1])
    return sorted(set(urls))


@pytest.mark.parametrize("period", ODD_PERIODS)
def test_no_report_breaks_on_a_period_outside_the_calendar(app, alpha, tenants, period):
    login(alpha, "bambang@kopalpha.id")
    urls = report_urls(app, tenants)
    assert len(urls) >= 10
    for url in urls:
        response = alpha.get(url, query_string=period)
        assert response.status_code < 500, url


def test_a_report_for_year_one_says_to_check_the_year(alpha):
    login(alpha, "bambang@kopalpha.id")
    response = alpha.get("/kelola/laporan", query_string=ODD_PERIODS[0])
    assert response.status_code == 422
    assert "Check the year of the date." in text(response)
