"""File storage behind a small interface: a folder per tenant on local disk, outside the web root.

With more than one web machine, an object-storage adapter takes the same four methods.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Protocol

KEY_RE = re.compile(r"^[a-z0-9_]{1,63}/[0-9a-f]{32}(_s)?\.(pdf|jpg|png|xlsx|csv|json)$")


def small_variant(key: str) -> str:
    """The key of an image's small copy (thumbnails, avatars): ``<owner>/<hex>_s.<ext>``."""
    stem, extension = key.rsplit(".", 1)
    return f"{stem}_s.{extension}"


class Storage(Protocol):
    def save(self, owner: str, content: bytes, extension: str) -> str: ...

    def write(self, key: str, content: bytes) -> None: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under ``root/<owner>/<uuid>.<ext>``; keys are validated, so no path escapes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY_RE.fullmatch(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def save(self, owner: str, content: bytes, extension: str) -> str:
        key = f"{owner}/{uuid.uuid4().hex}.{extension}"
        self.write(key, content)
        return key

    def write(self, key: str, content: bytes) -> None:
        """Write ``key`` whole or not at all (a temporary file renamed into place)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        Path(tmp).replace(path)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
