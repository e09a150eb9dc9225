"""A cooperative being moved to another shard reads as read-only

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("moving_to", sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_column("tenants", "moving_to")
