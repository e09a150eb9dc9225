"""Every text the microsite keeps has the same bound in the database as on its form

Revision ID: t0021
Revises: t0020
Create Date: 2026-12-05 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0021'
down_revision = 't0020'
branch_labels = None
depends_on = None

BOUNDS = (
    ("profile", "vision", 2000),
    ("profile", "mission", 4000),
    ("profile", "village_potential", 4000),
    ("business_units", "description", 2000),
    ("news_posts", "body", 20000),
    ("products", "description", 2000),
)


def upgrade() -> None:
    for table, column, length in BOUNDS:
        op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())


def downgrade() -> None:
    for table, column, length in BOUNDS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))
