"""What a reviewer judges, and the fingerprint that tells whether it changed. Pure functions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from saas.documents.models import DocumentKind

DOCUMENT_ITEMS = tuple(kind.value for kind in DocumentKind)
REVIEW_ITEMS = ("profile", "legal", "board", "units", *DOCUMENT_ITEMS)
CLAIM_MINUTES = 30  # a claim older than this may be taken over by another admin


@dataclass(frozen=True)
class Verdict:
    ok: bool
    note: str


def content_fingerprint(content: dict[str, Any]) -> str:
    """A short hash of everything the reviewer saw (any change makes a new one)."""
    canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def item_fingerprints(content: dict[str, Any]) -> dict[str, str]:
    """A fingerprint per review item, so a return can tell which flagged items were changed."""
    return {
        item: content_fingerprint(
            {item: content["documents"].get(item) if item in DOCUMENT_ITEMS else content[item]}
        )
        for item in REVIEW_ITEMS
    }


def unchanged_items(returned: dict[str, str | None], current: dict[str, str]) -> list[str]:
    """The returned items (item -> fingerprint when returned) that are still as they were."""
    return [
        item
        for item in REVIEW_ITEMS
        if item in returned and returned[item] is not None and returned[item] == current.get(item)
    ]


def can_approve(verdicts: dict[str, Verdict]) -> bool:
    return set(verdicts) == set(REVIEW_ITEMS) and all(v.ok for v in verdicts.values())


def needs_fixing(verdicts: dict[str, Verdict]) -> list[str]:
    return [item for item in REVIEW_ITEMS if item in verdicts and not verdicts[item].ok]
