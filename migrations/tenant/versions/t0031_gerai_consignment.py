"""Consignment (titip jual): consignors, their goods as products of no value to the books, each
sale line's share owed to its consignor, and settlements paying each line once; the consignment
accounts known by their roles

Revision ID: t0031
Revises: t0030
Create Date: 2026-12-05 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0031'
down_revision = 't0030'
branch_labels = None
depends_on = None

KEPT = ("gerai_consignments", "gerai_consignment_settlements", "gerai_consignment_settled_lines")
GUARDS = "".join(
    f"""
CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {{schema}}.{table}
    FOR EACH ROW EXECUTE FUNCTION {{schema}}.gerai_record_kept();
CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {{schema}}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.gerai_record_kept();
"""
    for table in KEPT
)

ROLES = (("2-103", "consignment_held"), ("4-107", "consignment_fees"))


def upgrade() -> None:
    op.create_table('gerai_consignors',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=True),
    sa.Column('phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("btrim(name) <> ''", name=op.f('ck_gerai_consignors_named')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_gerai_consignors_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['business_units.id'], name=op.f('fk_gerai_consignors_unit_id_business_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_consignors'))
    )
    op.create_index(op.f('ix_gerai_consignors_member_id'), 'gerai_consignors', ['member_id'], unique=False)

    op.add_column('gerai_products', sa.Column('consignor_id', sa.BigInteger(), nullable=True))
    op.add_column('gerai_products', sa.Column('consignment_fee', sa.BigInteger(), server_default='0', nullable=False))
    op.create_foreign_key(op.f('fk_gerai_products_consignor_id_gerai_consignors'), 'gerai_products', 'gerai_consignors', ['consignor_id'], ['id'], ondelete='RESTRICT')
    op.create_index(op.f('ix_gerai_products_consignor_id'), 'gerai_products', ['consignor_id'], unique=False)
    op.create_check_constraint(
        op.f('ck_gerai_products_consignment'), 'gerai_products',
        "(consignor_id IS NULL AND consignment_fee = 0) OR (consignor_id IS NOT NULL AND "
        "consignment_fee >= 0 AND consignment_fee <= price AND cost = 0 AND stock_value = 0)",
    )

    op.add_column('gerai_sale_lines', sa.Column('consignor_id', sa.BigInteger(), nullable=True))
    op.add_column('gerai_sale_lines', sa.Column('consignor_share', sa.BigInteger(), server_default='0', nullable=False))
    op.create_foreign_key(op.f('fk_gerai_sale_lines_consignor_id_gerai_consignors'), 'gerai_sale_lines', 'gerai_consignors', ['consignor_id'], ['id'], ondelete='RESTRICT')
    op.create_index(op.f('ix_gerai_sale_lines_consignor_id'), 'gerai_sale_lines', ['consignor_id'], unique=False)
    op.create_check_constraint(
        op.f('ck_gerai_sale_lines_consignor_share'), 'gerai_sale_lines',
        "(consignor_id IS NULL AND consignor_share = 0) OR (consignor_id IS NOT NULL AND "
        "consignor_share >= 0 AND consignor_share <= quantity * price)",
    )

    op.create_table('gerai_consignments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('consignor_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'sold', 'counted', 'consigned', 'returned', name='movement_kind', native_enum=False, length=20), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('consigned', 'returned')", name=op.f('ck_gerai_consignments_kind')),
    sa.ForeignKeyConstraint(['consignor_id'], ['gerai_consignors.id'], name=op.f('fk_gerai_consignments_consignor_id_gerai_consignors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_consignments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_gerai_consignments_idempotency_key'))
    )
    op.create_index(op.f('ix_gerai_consignments_consignor_id'), 'gerai_consignments', ['consignor_id'], unique=False)
    op.add_column('gerai_stock_movements', sa.Column('consignment_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_gerai_stock_movements_consignment_id_gerai_consignments'), 'gerai_stock_movements', 'gerai_consignments', ['consignment_id'], ['id'], ondelete='RESTRICT')
    op.create_index(op.f('ix_gerai_stock_movements_consignment_id'), 'gerai_stock_movements', ['consignment_id'], unique=False)
    op.create_check_constraint(
        op.f('ck_gerai_stock_movements_consigned_of_no_value'), 'gerai_stock_movements',
        "(kind IN ('consigned', 'returned')) = (consignment_id IS NOT NULL) AND "
        "(kind NOT IN ('consigned', 'returned') OR value = 0)",
    )

    op.create_table('gerai_consignment_settlements',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('consignor_id', sa.BigInteger(), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_gerai_consignment_settlements_amount_positive')),
    sa.ForeignKeyConstraint(['consignor_id'], ['gerai_consignors.id'], name=op.f('fk_gerai_consignment_settlements_consignor_id_gerai_consignors'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_consignment_settlements_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gerai_consignment_settlements')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_consignment_settlements_entry_id'))
    )
    op.create_index(op.f('ix_gerai_consignment_settlements_consignor_id'), 'gerai_consignment_settlements', ['consignor_id'], unique=False)
    op.create_table('gerai_consignment_settled_lines',
    sa.Column('sale_line_id', sa.BigInteger(), nullable=False),
    sa.Column('settlement_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['sale_line_id'], ['gerai_sale_lines.id'], name=op.f('fk_gerai_consignment_settled_lines_sale_line_id_gerai_sale_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['settlement_id'], ['gerai_consignment_settlements.id'], name=op.f('fk_gerai_consignment_settled_lines_settlement_id_gerai_consignment_settlements'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('sale_line_id', name=op.f('pk_gerai_consignment_settled_lines'))
    )
    op.create_index(op.f('ix_gerai_consignment_settled_lines_settlement_id'), 'gerai_consignment_settled_lines', ['settlement_id'], unique=False)

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
    op.drop_table('gerai_consignment_settled_lines')
    op.drop_table('gerai_consignment_settlements')
    op.drop_constraint(op.f('ck_gerai_stock_movements_consigned_of_no_value'), 'gerai_stock_movements', type_='check')
    op.drop_column('gerai_stock_movements', 'consignment_id')
    op.drop_table('gerai_consignments')
    # Lines of consigned goods are kept records: dropping their columns is the one way back.
    op.drop_column('gerai_sale_lines', 'consignor_share')
    op.drop_column('gerai_sale_lines', 'consignor_id')
    op.drop_column('gerai_products', 'consignment_fee')
    op.drop_column('gerai_products', 'consignor_id')
    op.drop_table('gerai_consignors')
