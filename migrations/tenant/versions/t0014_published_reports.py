"""Published reports: a closed book year's statements as the officers published them

Revision ID: t0014
Revises: t0013
Create Date: 2026-11-29 15:50:28.229242
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 't0014'
down_revision = 't0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('published_reports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('figures', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_published_reports_published_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_reports')),
    sa.UniqueConstraint('year', name=op.f('uq_published_reports_year'))
    )


def downgrade() -> None:
    op.drop_table('published_reports')
