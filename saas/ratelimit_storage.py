"""Throttling counters in PostgreSQL, so every gunicorn worker and every web machine counts
together without another service. Redis takes over when ``RATELIMIT_STORAGE_URI`` names one.

A ``limits`` storage for the fixed-window strategy: one row per key, its count and the end of its
window. Each call is its own short transaction, outside the request's.
"""

from __future__ import annotations

import random
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

SCHEME = "guyub-postgresql"

INCREMENT = text(
    """
    INSERT INTO rate_limit_counters AS c (key, count, expires_at)
    VALUES (:key, :amount, now() + make_interval(secs => :expiry))
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN c.expires_at <= now() THEN excluded.count
                     ELSE c.count + excluded.count END,
        expires_at = CASE WHEN c.expires_at <= now() THEN excluded.expires_at
                          ELSE c.expires_at END
    RETURNING count
    """
)
# Rows of windows long over are deleted now and then by the increments themselves.
PURGE_EVERY = 200
PURGE = text("DELETE FROM rate_limit_counters WHERE expires_at < now() - interval '1 hour'")


class PostgresStorage(Storage):
    """``guyub-postgresql://``: counters in ``public.rate_limit_counters`` of the given engine."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        engine = options.pop("engine", None)
        if not isinstance(engine, Engine):
            raise ValueError("the PostgreSQL rate-limit storage needs engine=<platform engine>")
        self.engine = engine
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's window, opening a new window of ``expiry`` seconds."""
        with self.engine.begin() as connection:
            count = connection.execute(
                INCREMENT, {"key": key, "amount": amount, "expiry": expiry}
            ).scalar_one()
            if random.randrange(PURGE_EVERY) == 0:  # noqa: S311 - not for security
                connection.execute(PURGE)
        return int(count)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                text(
                    "SELECT count FROM rate_limit_counters WHERE key = :key AND expires_at > now()"
                ),
                {"key": key},
            ).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expiry = connection.execute(
                text(
                    "SELECT extract(epoch FROM expires_at) FROM rate_limit_counters "
                    "WHERE key = :key AND expires_at > now()"
                ),
                {"key": key},
            ).scalar()
        return float(expiry) if expiry is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(text("DELETE FROM rate_limit_counters")).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("DELETE FROM rate_limit_counters WHERE key = :key"), {"key": key}
            )
