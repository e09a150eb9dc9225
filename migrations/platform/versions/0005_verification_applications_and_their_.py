"""verification applications and their audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:01:11.738112
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verification_applications',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'in_review', 'returned', 'approved', 'suspended', 'revoked', name='verification_status', native_enum=False, length=20), nullable=False),
    sa.Column('region_code', sa.String(length=13), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by_id', sa.BigInteger(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['platform_admins.id'], name=op.f('fk_verification_applications_claimed_by_id_platform_admins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_verification_applications_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_applications')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_verification_applications_tenant_id'))
    )
    op.create_index(op.f('ix_verification_applications_region_code'), 'verification_applications', ['region_code'], unique=False)
    op.create_index(op.f('ix_verification_applications_status'), 'verification_applications', ['status'], unique=False)
    op.create_table('verification_events',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('application_id', sa.BigInteger(), nullable=False),
    sa.Column('admin_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('verdicts', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['platform_admins.id'], name=op.f('fk_verification_events_admin_id_platform_admins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['verification_applications.id'], name=op.f('fk_verification_events_application_id_verification_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_events'))
    )
    op.create_index(op.f('ix_verification_events_application_id'), 'verification_events', ['application_id'], unique=False)
    op.add_column('tenants', sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('tenants', 'verified_at')
    op.drop_index(op.f('ix_verification_events_application_id'), table_name='verification_events')
    op.drop_table('verification_events')
    op.drop_index(op.f('ix_verification_applications_status'), table_name='verification_applications')
    op.drop_index(op.f('ix_verification_applications_region_code'), table_name='verification_applications')
    op.drop_table('verification_applications')
