"""Storing and reading the cooperative's documents (operations flush; the caller commits)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.accounts.models import TenantUser
from saas.documents.models import Document, DocumentKind
from saas.storage import Storage
from saas.uploads import CheckedFile


def list_current_documents(session: Session) -> dict[DocumentKind, Document]:
    """The newest document of each kind."""
    current: dict[DocumentKind, Document] = {}
    for document in session.scalars(select(Document).order_by(Document.id)):
        current[document.kind] = document
    return current


def get_document_for_tenant(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


def store_document(
    session: Session,
    storage: Storage,
    *,
    owner: str,
    kind: DocumentKind,
    original_name: str,
    checked: CheckedFile,
    uploaded_by: TenantUser,
) -> Document:
    """Write the file, then flush its row; if the row cannot be written the file is removed."""
    key = storage.save(owner, checked.content, checked.extension)
    try:
        document = Document(
            kind=kind,
            original_name=_display_name(original_name, checked.extension),
            content_type=checked.content_type,
            size=len(checked.content),
            storage_key=key,
            uploaded_by_id=uploaded_by.id,
        )
        session.add(document)
        session.flush()
    except Exception:
        storage.delete(key)
        raise
    return document


def _display_name(name: str, extension: str) -> str:
    """The uploader's file name for display only: path parts dropped, extension set by content."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].strip() or "dokumen"
    return f"{base[:150]}.{extension}"
