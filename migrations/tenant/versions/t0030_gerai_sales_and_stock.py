"""The gerai: each business unit's products with their stock at moving-average cost, goods
received, sales with their receipts, stock counts and day closings; the shop's records kept as
written; the members' receivables and the suppliers' payables known by their roles

Revision ID: t0030
Revises: t0029
Create Date: 2026-12-05 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0030'
down_revision = 't0029'
branch_labels = None
depends_on = None

GUARDS = """
CREATE FUNCTION {schema}.gerai_record_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the shop''s records are never changed: record a correction'
        USING ERRCODE = 'restrict_violation';
END $$;
""" + "".join(
    f"""
CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {{schema}}.{table}
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.gerai_record_kept();
CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {{schema}}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.gerai_record_kept();
"""
    for table in ("gerai_sales", "gerai_sale_lines", "gerai_stock_movements")
)

ROLES = (("1-105", "trade_receivables"), ("2-102", "trade_payables"))


def upgrade() -> None:
    op.create_table('gerai_settings',
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('allow_negative_stock', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_settings_unit_id_business_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_gerai_settings'))
    )
    op.create_table('gerai_products',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('low_stock', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('stock_value', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('low_stock >= 0', name=op.f('ck_gerai_products_low_stock_not_negative')),
    sa.CheckConstraint('price > 0 AND price <= 1000000000 AND cost >= 0 AND cost <= 1000000000', name=op.f('ck_gerai_products_prices')),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_products_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_products')),
    sa.UniqueConstraint('unit_id', 'code', name=op.f('uq_gerai_products_unit_id_code'))
    )
    op.create_table('gerai_goods_receipts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('supplier', sa.String(length=120), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('payment', sa.Enum('cash', 'bank', 'payable', name='supplier_payment', native_enum=False, length=20), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_goods_receipts_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_goods_receipts_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_goods_receipts')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_goods_receipts_entry_id'))
    )
    op.create_table('gerai_sales',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('token', sa.String(length=32), server_default=sa.text("replace(gen_random_uuid()::text, '-', '')"), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('method', sa.Enum('cash', 'qris', 'transfer', 'credit', name='sale_method', native_enum=False, length=20), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('officer_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method <> 'credit' OR member_id IS NOT NULL", name=op.f('ck_gerai_sales_credit_to_members')),
    sa.CheckConstraint("token ~ '^[0-9a-f]{32}$'", name=op.f('ck_gerai_sales_token_shape')),
    sa.CheckConstraint('total > 0', name=op.f('ck_gerai_sales_total_positive')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_sales_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_gerai_sales_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_sales_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_sales')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_sales_entry_id')),
    sa.UniqueConstraint('number', name=op.f('uq_gerai_sales_number')),
    sa.UniqueConstraint('token', name=op.f('uq_gerai_sales_token'))
    )
    op.create_index(op.f('ix_gerai_sales_member_id'), 'gerai_sales', ['member_id'], unique=False)
    op.create_index('ix_gerai_sales_unit_sold_on', 'gerai_sales', ['unit_id', 'sold_on'], unique=False)
    op.create_table('gerai_sale_lines',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('sale_id', sa.BigInteger(), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0 AND quantity <= 100000 AND price > 0 AND price <= 1000000000', name=op.f('ck_gerai_sale_lines_positive')),
    sa.ForeignKeyConstraint(['product_id'], ['gerai_products.id'], name=op.f('fk_gerai_sale_lines_product_id_gerai_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['gerai_sales.id'], name=op.f('fk_gerai_sale_lines_sale_id_gerai_sales'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_sale_lines'))
    )
    op.create_index(op.f('ix_gerai_sale_lines_product_id'), 'gerai_sale_lines', ['product_id'], unique=False)
    op.create_index(op.f('ix_gerai_sale_lines_sale_id'), 'gerai_sale_lines', ['sale_id'], unique=False)
    op.create_table('gerai_stock_counts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('counted_on', sa.Date(), nullable=False),
    sa.Column('against_role', sa.String(length=30), nullable=False),
    sa.Column('difference', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_stock_counts_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_stock_counts_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_stock_counts')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_stock_counts_entry_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_gerai_stock_counts_idempotency_key'))
    )
    op.create_table('gerai_stock_movements',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('product_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'sold', 'counted', name='movement_kind', native_enum=False, length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('receipt_id', sa.BigInteger(), nullable=True),
    sa.Column('sale_id', sa.BigInteger(), nullable=True),
    sa.Column('count_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("(kind = 'received') = (receipt_id IS NOT NULL) AND (kind = 'sold') = (sale_id IS NOT NULL) AND (kind = 'counted') = (count_id IS NOT NULL)", name=op.f('ck_gerai_stock_movements_one_source')),
    sa.CheckConstraint('quantity <> 0', name=op.f('ck_gerai_stock_movements_quantity_not_zero')),
    sa.ForeignKeyConstraint(['count_id'], ['gerai_stock_counts.id'], name=op.f('fk_gerai_stock_movements_count_id_gerai_stock_counts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['product_id'], ['gerai_products.id'], name=op.f('fk_gerai_stock_movements_product_id_gerai_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['receipt_id'], ['gerai_goods_receipts.id'], name=op.f('fk_gerai_stock_movements_receipt_id_gerai_goods_receipts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['gerai_sales.id'], name=op.f('fk_gerai_stock_movements_sale_id_gerai_sales'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_stock_movements'))
    )
    op.create_index(op.f('ix_gerai_stock_movements_count_id'), 'gerai_stock_movements', ['count_id'], unique=False)
    op.create_index(op.f('ix_gerai_stock_movements_product_id'), 'gerai_stock_movements', ['product_id'], unique=False)
    op.create_index(op.f('ix_gerai_stock_movements_receipt_id'), 'gerai_stock_movements', ['receipt_id'], unique=False)
    op.create_index(op.f('ix_gerai_stock_movements_sale_id'), 'gerai_stock_movements', ['sale_id'], unique=False)
    op.create_table('gerai_day_closings',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('expected', sa.BigInteger(), nullable=False),
    sa.Column('counted', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=True),
    sa.Column('closed_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_gerai_day_closings_closed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_day_closings_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_day_closings_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_day_closings')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_day_closings_entry_id')),
    sa.UniqueConstraint('unit_id', 'closed_on', name=op.f('uq_gerai_day_closings_unit_id_closed_on'))
    )

    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}", f'"{schema}"').replace("%", "%%"))
    for code, role in ROLES:
        op.execute(
            sa.text("UPDATE accounts SET role = :role WHERE code = :code AND role IS NULL "
                    "AND NOT EXISTS (SELECT FROM accounts WHERE role = :role)")
            .bindparams(role=role, code=code)
        )


def downgrade() -> None:
    for code, role in ROLES:
        op.execute(
            sa.text("UPDATE accounts SET role = NULL WHERE code = :code AND role = :role")
            .bindparams(role=role, code=code)
        )
    for table in ('gerai_day_closings', 'gerai_stock_movements', 'gerai_stock_counts',
                  'gerai_sale_lines', 'gerai_sales', 'gerai_goods_receipts', 'gerai_products',
                  'gerai_settings'):
        op.drop_table(table)
    op.execute("DROP FUNCTION gerai_record_kept()")
