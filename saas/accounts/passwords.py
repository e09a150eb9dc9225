"""Password hashing (argon2id) and the password policy. Pure functions: no Flask, no database."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when an account does not exist, so a wrong login costs the same either way."""
    return _hasher.hash("guyub-timing-equaliser")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list) plus Indonesian favourites we ship."""
    local = resources.files("saas.accounts").joinpath("common_passwords_id.txt").read_text()
    extra = {line.strip().lower() for line in local.splitlines() if line.strip()}
    return frozenset(FREQUENCY_LISTS["passwords"]) | extra


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still spends the time of one check."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, *, personal: tuple[str, ...] = ()) -> list[str]:
    """Codes of what is wrong with a new password: too_short, too_long, common, personal."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        problems.append("common")
    words = {w for text in personal for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) >= 4}
    if any(word in lowered for word in words):
        problems.append("personal")
    return problems
