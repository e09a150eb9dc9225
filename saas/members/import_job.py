"""A large member import, run by a job worker, and the progress the officer's page reads.

Uploads wait in the tenant's private import folder. When an officer confirms a file with more
than ``BACKGROUND_ROWS`` valid rows, a small JSON file beside it (``<hex>.json`` next to
``<hex>.xlsx``) records the import's state and how many rows are written; the storage replaces it
whole each time, outside the import's transaction, so the page can read it while rows go in.
The rows go in as one transaction: if anything fails, no member is imported, the upload stays,
and the progress says why, so the officer can check the preview and confirm again. A worker that
dies mid-import cannot say so; its transaction is rolled back by PostgreSQL, and a running import
silent for ``STALLED_AFTER`` reads as failed.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from procrastinate.types import JSONValue
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saas.jobs import import_members_file
from saas.members import operations as members
from saas.members import transfer
from saas.members.operations import MemberDetails, MemberError
from saas.storage import Storage

BACKGROUND_ROWS = 500  # a confirmed import with more valid rows runs as a job
STALLED_AFTER = timedelta(minutes=5)  # a running import reports every 250 rows, within seconds


class ImportState(enum.StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ImportProgress:
    state: ImportState
    total: int  # the valid rows the officer confirmed
    done: int = 0  # rows written so far; saved only when the last one is in
    error: str | None = None  # why a failed import imported nothing: changed, error, stopped
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)


def runs_in_background(valid_rows_count: int) -> bool:
    """Whether a confirmed import is a job (a worker's) rather than part of the request."""
    return valid_rows_count > BACKGROUND_ROWS


def import_folder(schema_name: str) -> str:
    """The tenant's private folder of uploaded member lists."""
    return f"{schema_name}_imp"


def _progress_key(upload_key: str) -> str:
    return upload_key.rsplit(".", 1)[0] + ".json"


def read_progress(storage: Storage, upload_key: str) -> ImportProgress | None:
    """The progress of the upload's import (None when it was never confirmed as a job)."""
    try:
        data = json.loads(storage.read(_progress_key(upload_key)))
    except FileNotFoundError:
        return None
    progress = ImportProgress(
        ImportState(data.pop("state")),
        updated_at=datetime.fromisoformat(data.pop("updated_at")),
        **data,
    )
    if progress.state == ImportState.RUNNING and (
        datetime.now(UTC) - progress.updated_at > STALLED_AFTER
    ):
        return replace(progress, state=ImportState.FAILED, error="stopped")
    return progress


def _write_progress(storage: Storage, upload_key: str, progress: ImportProgress) -> None:
    data = {**asdict(progress), "updated_at": progress.updated_at.isoformat()}
    storage.write(_progress_key(upload_key), json.dumps(data).encode())


def valid_rows(results: list[transfer.RowResult]) -> list[MemberDetails]:
    """The rows without errors, as the register takes them."""
    return [MemberDetails(**r.values) for r in results if not r.errors]  # type: ignore[arg-type]


def start_import(
    platform: Session,
    storage: Storage,
    *,
    tenant_id: int,
    upload_key: str,
    mapping: dict[str, int | None],
    total: int,
) -> None:
    """Queue the confirmed import for a worker on the platform session; the job exists once the
    caller commits that session."""
    _write_progress(storage, upload_key, ImportProgress(ImportState.WAITING, total))
    try:
        driver = platform.connection().connection.driver_connection
        columns: dict[str, JSONValue] = {**mapping}
        import_members_file.configure(connection=driver, lock=upload_key).defer(
            tenant_id=tenant_id, upload_key=upload_key, mapping=columns
        )
    except Exception:
        storage.delete(_progress_key(upload_key))
        raise


def run_import(
    session: Session,
    storage: Storage,
    upload_key: str,
    mapping: dict[str, int | None],
    today: date,
) -> int:
    """The job: check the rows again and import them all, or none if any was taken meanwhile;
    how many. Runs only an import still waiting (a second job for the same upload does nothing).
    """
    waiting = read_progress(storage, upload_key)
    if waiting is None or waiting.state != ImportState.WAITING:
        return 0
    total = waiting.total

    def report(state: ImportState, done: int = 0, error: str | None = None) -> None:
        _write_progress(storage, upload_key, ImportProgress(state, total, done, error))

    try:
        sheet = transfer.read_sheet(storage.read(upload_key))
        results = transfer.check_rows(sheet, mapping, members.all_niks(session), today)
        rows = valid_rows(results)
        if len(rows) != total:
            raise MemberError("changed")
        report(ImportState.RUNNING)
        members.import_members(session, rows, lambda done: report(ImportState.RUNNING, done))
        session.commit()  # the job's one transaction
    except (MemberError, IntegrityError):  # a member was registered meanwhile
        session.rollback()
        report(ImportState.FAILED, error="changed")
        return 0
    except Exception:
        session.rollback()
        report(ImportState.FAILED, error="error")
        raise
    storage.delete(upload_key)
    report(ImportState.DONE, total)
    return total
