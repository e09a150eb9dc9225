"""Plans priced in rupiah, each cooperative's Stripe subscription, the Stripe events handled,
sponsored plans and the billing audit log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATUSES = (
    "'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', "
    "'unpaid', 'paused'"
)
AUDIT_LOG_DDL = """
CREATE FUNCTION billing_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the billing audit log is append-only';
END $$;
CREATE TRIGGER billing_audit_log_append_only BEFORE UPDATE OR DELETE ON billing_audit_log
    FOR EACH ROW EXECUTE FUNCTION billing_audit_log_is_append_only();
"""
# code, name, position, member_limit, officer_limit, custom_domain, loans, gerai, monthly, yearly
PLANS = [
    ("gratis", "Gratis", 1, 100, 10, False, False, False, None, None),
    ("koperasi", "Koperasi", 2, None, 30, True, True, True, 150_000, 1_500_000),
]


def upgrade() -> None:
    plans = op.create_table(
        'plans',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('member_limit', sa.Integer(), nullable=True),
        sa.Column('officer_limit', sa.Integer(), nullable=True),
        sa.Column('custom_domain', sa.Boolean(), nullable=False),
        sa.Column('loans', sa.Boolean(), nullable=False),
        sa.Column('gerai', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
        sa.UniqueConstraint('code', name=op.f('uq_plans_code')),
    )
    prices = op.create_table(
        'plan_prices',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('plan_id', sa.BigInteger(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('stripe_price_id', sa.String(length=100), nullable=True),
        sa.CheckConstraint('amount > 0', name=op.f('ck_plan_prices_amount_positive')),
        sa.CheckConstraint(
            "period IN ('month', 'year')", name=op.f('ck_plan_prices_known_period')
        ),
        sa.ForeignKeyConstraint(
            ['plan_id'], ['plans.id'], name=op.f('fk_plan_prices_plan_id_plans')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_prices')),
        sa.UniqueConstraint('plan_id', 'period', name=op.f('uq_plan_prices_plan_id_period')),
        sa.UniqueConstraint('stripe_price_id', name=op.f('uq_plan_prices_stripe_price_id')),
    )
    op.create_table(
        'subscriptions',
        sa.Column('tenant_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('plan_id', sa.BigInteger(), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('current_period_end', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_at_period_end', sa.Boolean(), nullable=False),
        sa.Column('stripe_customer_id', sa.String(length=100), nullable=False),
        sa.Column('stripe_subscription_id', sa.String(length=100), nullable=True),
        sa.Column('grace_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"status IS NULL OR status IN ({STATUSES})", name=op.f('ck_subscriptions_known_status')
        ),
        sa.CheckConstraint(
            '(status IS NULL) = (stripe_subscription_id IS NULL)',
            name=op.f('ck_subscriptions_status_comes_from_stripe'),
        ),
        sa.ForeignKeyConstraint(
            ['plan_id'], ['plans.id'], name=op.f('fk_subscriptions_plan_id_plans')
        ),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_subscriptions_tenant_id_tenants'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_subscriptions')),
        sa.UniqueConstraint('stripe_customer_id', name=op.f('uq_subscriptions_stripe_customer_id')),
        sa.UniqueConstraint(
            'stripe_subscription_id', name=op.f('uq_subscriptions_stripe_subscription_id')
        ),
    )
    op.create_table(
        'stripe_events',
        sa.Column('id', sa.String(length=100), nullable=False),
        sa.Column('type', sa.String(length=100), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    )
    op.create_table(
        'sponsorships',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('plan_id', sa.BigInteger(), nullable=False),
        sa.Column('sponsor', sa.String(length=120), nullable=False),
        sa.Column('tenant_id', sa.BigInteger(), nullable=True),
        sa.Column('region_code', sa.String(length=13), nullable=True),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('granted_by_id', sa.BigInteger(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            '(tenant_id IS NULL) <> (region_code IS NULL)',
            name=op.f('ck_sponsorships_one_cooperative_or_a_region'),
        ),
        sa.CheckConstraint(
            'ends_on >= starts_on', name=op.f('ck_sponsorships_ends_after_it_starts')
        ),
        sa.ForeignKeyConstraint(
            ['granted_by_id'], ['platform_admins.id'],
            name=op.f('fk_sponsorships_granted_by_id_platform_admins'),
        ),
        sa.ForeignKeyConstraint(
            ['plan_id'], ['plans.id'], name=op.f('fk_sponsorships_plan_id_plans')
        ),
        sa.ForeignKeyConstraint(
            ['tenant_id'], ['tenants.id'], name=op.f('fk_sponsorships_tenant_id_tenants'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsorships')),
    )
    op.create_index(op.f('ix_sponsorships_tenant_id'), 'sponsorships', ['tenant_id'])
    op.create_index(op.f('ix_sponsorships_region_code'), 'sponsorships', ['region_code'])
    op.create_table(
        'billing_audit_log',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('admin_id', sa.BigInteger(), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['admin_id'], ['platform_admins.id'],
            name=op.f('fk_billing_audit_log_admin_id_platform_admins'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_audit_log')),
    )
    op.execute(AUDIT_LOG_DDL)
    for code, name, position, members, officers, domain, loans, gerai, monthly, yearly in PLANS:
        plan_id = op.get_bind().execute(
            plans.insert().returning(plans.c.id),
            {
                'code': code, 'name': name, 'position': position, 'member_limit': members,
                'officer_limit': officers, 'custom_domain': domain, 'loans': loans,
                'gerai': gerai,
            },
        ).scalar_one()
        for period, amount in (('month', monthly), ('year', yearly)):
            if amount is not None:
                op.get_bind().execute(
                    prices.insert(), {'plan_id': plan_id, 'period': period, 'amount': amount}
                )


def downgrade() -> None:
    op.drop_table('billing_audit_log')
    op.execute('DROP FUNCTION billing_audit_log_is_append_only()')
    op.drop_table('sponsorships')
    op.drop_table('stripe_events')
    op.drop_table('subscriptions')
    op.drop_table('plan_prices')
    op.drop_table('plans')
