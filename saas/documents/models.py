"""Uploaded documents, in each tenant's schema; the files themselves live in storage."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Identity, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import TenantBase, value_enum
from saas.tenants.models import utcnow


class DocumentKind(enum.StrEnum):
    """The legal chain, in the order a cooperative obtains it."""

    MUSDESUS = "musdesus"  # minutes of the special village meeting
    AKTA = "akta"  # notarial deed of establishment
    SK_AHU = "sk_ahu"  # legal entity decree
    NPWP = "npwp"
    NIB = "nib"
    BANK = "bank"  # proof of the cooperative's bank account


class Document(TenantBase):
    """One uploaded file; the newest of each kind is the current one."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(
        value_enum(DocumentKind, "document_kind", native=False), index=True
    )
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(120), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
