"""Alembic environment for the platform database (``public`` schema)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from saas.db import sqlalchemy_url
from saas.models import PlatformBase

config = context.config
target_metadata = PlatformBase.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # procrastinate and other libraries keep their own tables in public: leave them alone.
    return not (type_ == "table" and reflected and compare_to is None)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, include_object=include_object
        )
        context.run_migrations()
        return
    engine = create_engine(sqlalchemy_url(os.environ["DATABASE_URL"]))
    with engine.begin() as conn:
        context.configure(
            connection=conn, target_metadata=target_metadata, include_object=include_object
        )
        context.run_migrations()


run()
