"""nudges and the job queue

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:17:43.077163
"""
from alembic import op
import sqlalchemy as sa
from procrastinate.schema import SchemaManager


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nudges',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_nudges_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudges'))
    )
    op.create_index(op.f('ix_nudges_sent_at'), 'nudges', ['sent_at'], unique=False)
    op.create_index(op.f('ix_nudges_tenant_id'), 'nudges', ['tenant_id'], unique=False)
    # The job queue's own tables and functions, as the installed procrastinate defines them.
    # A later procrastinate upgrade applies its shipped migration scripts in a new revision.
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
               "procrastinate_jobs, procrastinate_workers CASCADE")
    op.drop_index(op.f('ix_nudges_tenant_id'), table_name='nudges')
    op.drop_index(op.f('ix_nudges_sent_at'), table_name='nudges')
    op.drop_table('nudges')
