"""tenant summaries for national figures

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 09:11:07.295314
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tenant_summaries',
    sa.Column('tenant_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('content_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('running_units', sa.Integer(), nullable=False),
    sa.Column('completeness', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_summaries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_tenant_summaries'))
    )
    op.create_index(op.f('ix_tenant_summaries_content_updated_at'), 'tenant_summaries', ['content_updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_tenant_summaries_content_updated_at'), table_name='tenant_summaries')
    op.drop_table('tenant_summaries')
