"""Alembic environment for tenant schemas, used to author migrations with autogenerate.

Point TENANT_SCHEMA at a scratch tenant schema (for example ``kop_1`` after
``flask --app wsgi tenants create scratch --name Scratch``) and run
``alembic -n tenant revision --autogenerate -m "..."``. Applying migrations to every tenant is
the job of ``flask --app wsgi tenants migrate`` (saas/tenants/migrations.py), not of this file.
Migrations carry no schema names: the runner sets ``search_path`` to the tenant's schema.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from saas.db import check_schema_name, sqlalchemy_url
from saas.tenants.schemas import tenant_metadata_without_schema

config = context.config
schema = check_schema_name(os.environ["TENANT_SCHEMA"])
engine = create_engine(sqlalchemy_url(os.environ["DATABASE_URL"]))

with engine.begin() as connection:
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
    context.configure(
        connection=connection,
        target_metadata=tenant_metadata_without_schema(),
        version_table_schema=schema,
        include_object=lambda _obj, name, type_, _reflected, _compare: (
            not (type_ == "table" and name == "alembic_version")
        ),
    )
    context.run_migrations()
