"""A sale reversed once with its reason: its entry reversed, its goods back in stock at the
cost they left at; a reversed sale's lines never paid to their consignor

Revision ID: t0034
Revises: t0032
Create Date: 2026-12-05 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0034'
down_revision = 't0032'
branch_labels = None
depends_on = None

GUARDS = """
CREATE TRIGGER gerai_sale_reversals_kept BEFORE UPDATE OR DELETE ON {schema}.gerai_sale_reversals
    FOR EACH ROW EXECUTE FUNCTION {schema}.gerai_record_kept();
CREATE TRIGGER gerai_sale_reversals_truncate BEFORE TRUNCATE ON {schema}.gerai_sale_reversals
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.gerai_record_kept();
CREATE OR REPLACE FUNCTION {schema}.gerai_sale_reversal_checked() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
BEGIN
    IF TG_TABLE_NAME = 'gerai_sale_reversals' THEN
        IF NOT EXISTS (
            SELECT FROM gerai_sales s JOIN journal_entries e ON e.reverses_id = s.entry_id
            WHERE s.id = NEW.sale_id AND e.id = NEW.entry_id
        ) THEN
            RAISE EXCEPTION 'sale % is reversed only by the reversal of its own entry',
                NEW.sale_id USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT FROM gerai_sale_lines l JOIN gerai_consignment_settled_lines p
                ON p.sale_line_id = l.id
            WHERE l.sale_id = NEW.sale_id
        ) THEN
            RAISE EXCEPTION 'sale % has a line paid to its consignor', NEW.sale_id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF EXISTS (
        SELECT FROM gerai_sale_lines l JOIN gerai_sale_reversals r ON r.sale_id = l.sale_id
        WHERE l.id = NEW.sale_line_id
    ) THEN
        RAISE EXCEPTION 'sale line % was reversed: nothing is owed for it', NEW.sale_line_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER gerai_sale_reversals_checked BEFORE INSERT ON {schema}.gerai_sale_reversals
    FOR EACH ROW EXECUTE FUNCTION {schema}.gerai_sale_reversal_checked();
CREATE TRIGGER gerai_consignment_settled_lines_not_reversed
    BEFORE INSERT ON {schema}.gerai_consignment_settled_lines
    FOR EACH ROW EXECUTE FUNCTION {schema}.gerai_sale_reversal_checked();
"""

ONE_SOURCE_BEFORE = (
    "(kind = 'received') = (receipt_id IS NOT NULL) AND (kind = 'sold') = (sale_id IS NOT NULL) "
    "AND (kind = 'counted') = (count_id IS NOT NULL)"
)
ONE_SOURCE = (
    "(kind = 'received') = (receipt_id IS NOT NULL) AND (kind IN ('sold', 'unsold')) = "
    "(sale_id IS NOT NULL) AND (kind = 'counted') = (count_id IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table('gerai_sale_reversals',
    sa.Column('sale_id', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('reversed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('reversed_by_id', sa.BigInteger(), nullable=True),
    sa.Column('officer_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("btrim(reason) <> ''", name=op.f('ck_gerai_sale_reversals_reason_given')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_gerai_sale_reversals_entry_id_journal_entries'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['users.id'], name=op.f('fk_gerai_sale_reversals_reversed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sale_id'], ['gerai_sales.id'], name=op.f('fk_gerai_sale_reversals_sale_id_gerai_sales'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('sale_id', name=op.f('pk_gerai_sale_reversals')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_gerai_sale_reversals_entry_id'))
    )
    op.drop_constraint(op.f('ck_gerai_stock_movements_one_source'), 'gerai_stock_movements', type_='check')
    op.create_check_constraint(op.f('ck_gerai_stock_movements_one_source'), 'gerai_stock_movements', ONE_SOURCE)
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(GUARDS.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def downgrade() -> None:
    op.execute("DROP TRIGGER gerai_consignment_settled_lines_not_reversed ON gerai_consignment_settled_lines")
    op.drop_table('gerai_sale_reversals')
    op.execute("DROP FUNCTION gerai_sale_reversal_checked()")
    # Goods back on the shelf from a reversed sale are kept records: they go with the way back.
    op.execute("ALTER TABLE gerai_stock_movements DISABLE TRIGGER gerai_stock_movements_kept")
    op.execute("DELETE FROM gerai_stock_movements WHERE kind = 'unsold'")
    op.execute("ALTER TABLE gerai_stock_movements ENABLE TRIGGER gerai_stock_movements_kept")
    op.drop_constraint(op.f('ck_gerai_stock_movements_one_source'), 'gerai_stock_movements', type_='check')
    op.create_check_constraint(op.f('ck_gerai_stock_movements_one_source'), 'gerai_stock_movements', ONE_SOURCE_BEFORE)
