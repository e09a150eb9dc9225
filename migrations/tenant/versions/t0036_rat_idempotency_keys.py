"""A members' meeting and a decision each keep the idempotency key of the form that made them,
unique, so a form sent twice makes one

Revision ID: t0036
Revises: t0033
Create Date: 2026-12-05 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0036'
down_revision = 't0033'
branch_labels = None
depends_on = None

TABLES = ('rat_meetings', 'rat_decisions')


def upgrade() -> None:
    # The volatile default gives every row already there a key of its own.
    for table in TABLES:
        op.add_column(table, sa.Column('idempotency_key', sa.Uuid(), server_default=sa.text('gen_random_uuid()'), nullable=False))
        op.create_unique_constraint(op.f(f'uq_{table}_idempotency_key'), table, ['idempotency_key'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_constraint(op.f(f'uq_{table}_idempotency_key'), table, type_='unique')
        op.drop_column(table, 'idempotency_key')
