"""Reading the public microsite: everything its home page shows."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cachetools import LRUCache
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from saas.dashboard.models import TenantSummary
from saas.documents.operations import list_current_documents
from saas.members.queries import count_active_members
from saas.microsite import operations as microsite
from saas.microsite.models import (
    BoardMember,
    BusinessUnit,
    CooperativeProfile,
    NewsPost,
    Product,
    UnitStatus,
)
from saas.microsite.rules import PENGURUS, completeness, profile_checklist
from saas.publishing.operations import Headline, latest_headline
from saas.rat.queries import RatHeld, last_rat_held


@dataclass(frozen=True)
class PublicPage:
    profile: CooperativeProfile | None
    pengurus: list[BoardMember]
    pengawas: list[BoardMember]
    units: list[BusinessUnit]
    running_units: int
    members: int  # active members of the register
    last_updated: datetime | None
    completeness: int
    report: Headline | None  # the latest published book year
    rat: RatHeld | None = None  # the last annual members' meeting held


def get_home_page(session: Session, summary: TenantSummary | None) -> PublicPage:
    """The home page: profile, board and units read here; the numbers from the summary row."""
    profile = microsite.get_profile(session)
    board = microsite.list_board(session)
    return PublicPage(
        profile=profile,
        pengurus=[m for m in board if m.position in PENGURUS],
        pengawas=[m for m in board if m.position not in PENGURUS],
        units=microsite.list_units(session),
        running_units=summary.running_units if summary else 0,
        members=summary.members if summary else 0,
        last_updated=summary.content_updated_at if summary else None,
        completeness=summary.completeness if summary else 0,
        report=Headline(
            summary.report_year, summary.report_assets, summary.report_result, summary.report_shu
        )
        if summary and summary.report_year
        else None,
        rat=RatHeld(summary.rat_year, summary.rat_held_on)
        if summary and summary.rat_year and summary.rat_held_on
        else None,
    )


# Per worker process: each tenant's home page data, keyed by its summary row's refresh time.
# Every change officers make refreshes that row (the profile blueprint's after_request), and
# tenant resolution reads it anyway, so a changed microsite is never served from here.
_home_pages: LRUCache[tuple[int, datetime], PublicPage] = LRUCache(maxsize=2000)
_home_pages_lock = threading.Lock()


def get_home_page_cached(
    open_session: Callable[[], Session], tenant_id: int, summary: TenantSummary | None
) -> PublicPage:
    """``get_home_page``, read from the tenant's schema only when its summary has changed."""
    if summary is None:
        return get_home_page(open_session(), summary)
    key = (tenant_id, summary.refreshed_at)
    with _home_pages_lock:
        page = _home_pages.get(key)
    if page is None:
        page = get_home_page(open_session(), summary)
        with _home_pages_lock:
            _home_pages[key] = page
    return page


def forget_home_pages() -> None:
    with _home_pages_lock:
        _home_pages.clear()


def get_public_page(session: Session) -> PublicPage:
    """Everything, computed from the tenant's own tables (what the summary row is made from)."""
    profile = microsite.get_profile(session)
    board = microsite.list_board(session)
    units = microsite.list_units(session)
    documents = {str(kind) for kind in list_current_documents(session)}
    # The public score leaves out the officer's email, which visitors cannot see or judge.
    items = [
        item
        for item in profile_checklist(
            profile, board, units, document_kinds=documents, email_confirmed=True
        )
        if item.code != "email_confirmed"
    ]
    stamps = [row.updated_at for row in (profile, *board, *units) if row is not None]
    # News and products keep a microsite fresh too.
    latest_posts = union_all(
        select(func.max(NewsPost.updated_at).label("at")),
        select(func.max(Product.updated_at).label("at")),
    ).subquery()
    if (latest := session.scalar(select(func.max(latest_posts.c.at)))) is not None:
        stamps.append(latest)
    return PublicPage(
        profile=profile,
        pengurus=[m for m in board if m.position in PENGURUS],
        pengawas=[m for m in board if m.position not in PENGURUS],
        units=units,
        running_units=sum(1 for u in units if u.status == UnitStatus.RUNNING),
        members=count_active_members(session),
        last_updated=max(stamps) if stamps else None,
        completeness=completeness(items),
        report=latest_headline(session),
        rat=last_rat_held(session),
    )
