"""Every text has a bound, the same on the form and in the database: a 5,000-character name is
refused on its form, and raw SQL cannot store what the form refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from saas.members.models import Member
from tests.factories import books_of, csrf_token, login
from tests.integration.test_members import NEW

LONG = "Rina" * 1250  # 5,000 characters, one word


def test_a_five_thousand_character_name_is_refused_on_the_form(alpha, db, tenants):
    login(alpha, "ana@kopalpha.id")
    path = "/kelola/anggota/baru"
    with books_of(db, tenants.a) as session:
        before = session.scalar(select(func.count()).select_from(Member))
    response = alpha.post(path, data={**NEW, "name": LONG, "csrf_token": csrf_token(alpha, path)})
    assert response.status_code == 422
    with books_of(db, tenants.a) as session:
        assert session.scalar(select(func.count()).select_from(Member)) == before


@pytest.mark.parametrize(
    ("table", "column", "limit"),
    [
        ("profile", "vision", 2000),
        ("profile", "mission", 4000),
        ("profile", "village_potential", 4000),
        ("business_units", "description", 2000),
        ("news_posts", "body", 20000),
        ("products", "description", 2000),
        ("members", "name", 120),
    ],
)
def test_the_database_holds_each_text_to_its_forms_bound(db, tenants, table, column, limit):
    schema = tenants.a.tenant.schema_name
    with books_of(db, tenants.a) as session:
        length = session.scalar(
            sql(
                "SELECT character_maximum_length FROM information_schema.columns"
                " WHERE table_schema = :schema AND table_name = :table AND column_name = :column"
            ),
            {"schema": schema, "table": table, "column": column},
        )
        assert length == limit
        nested = session.begin_nested()
        with pytest.raises(DBAPIError, match="too long"):
            session.execute(
                sql(f'UPDATE "{schema}".{table} SET {column} = :value'),
                {"value": "x" * (limit + 1)},
            )
        nested.rollback()
