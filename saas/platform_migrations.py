"""Running the platform migration tree (the ``public`` schema of the platform database)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from saas.config import PROJECT_ROOT
from saas.db import Databases

PLATFORM_MIGRATIONS = PROJECT_ROOT / "migrations" / "platform"
# Two app processes starting together (gunicorn workers, tests) must not migrate at once.
MIGRATION_LOCK_KEY = 0x67757975620002


def platform_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"), ini_section="platform")
    config.set_main_option("script_location", str(PLATFORM_MIGRATIONS))
    return config


def upgrade_platform(databases: Databases, revision: str = "head") -> None:
    config = platform_config()
    with databases.platform_engine.begin() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
