"""per-shard tenant counters, so choosing a shard does not scan the registry

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shard_loads',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('tenants', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_shard_loads'))
    )
    op.execute(
        "INSERT INTO shard_loads (name, tenants) "
        "SELECT shard, count(*) FROM tenants WHERE status <> 'failed' GROUP BY shard"
    )


def downgrade() -> None:
    op.drop_table('shard_loads')
