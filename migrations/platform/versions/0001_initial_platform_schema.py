"""initial platform schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 07:53:39.978947
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platform_admins',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_admins')),
    sa.UniqueConstraint('email', name=op.f('uq_platform_admins_email'))
    )
    op.create_table('tenants',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('provisioning', 'active', 'suspended', 'failed', name='tenant_status'), nullable=False),
    sa.Column('shard', sa.String(length=40), nullable=False),
    sa.Column('schema_name', sa.String(length=63), nullable=True),
    sa.Column('schema_revision', sa.String(length=32), nullable=True),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('suspended_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('schema_name', name=op.f('uq_tenants_schema_name'))
    )
    op.create_index(op.f('ix_tenants_schema_revision'), 'tenants', ['schema_revision'], unique=False)
    op.create_index('uq_tenants_live_slug', 'tenants', ['slug'], unique=True, postgresql_where=sa.text("status <> 'failed'"))
    op.create_table('tenant_domains',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('subdomain', 'custom', name='domain_kind'), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_domains_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_domains')),
    sa.UniqueConstraint('host', name=op.f('uq_tenant_domains_host'))
    )
    op.create_index(op.f('ix_tenant_domains_tenant_id'), 'tenant_domains', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_tenant_domains_tenant_id'), table_name='tenant_domains')
    op.drop_table('tenant_domains')
    op.drop_index('uq_tenants_live_slug', table_name='tenants', postgresql_where=sa.text("status <> 'failed'"))
    op.drop_index(op.f('ix_tenants_schema_revision'), table_name='tenants')
    op.drop_table('tenants')
    op.drop_table('platform_admins')
