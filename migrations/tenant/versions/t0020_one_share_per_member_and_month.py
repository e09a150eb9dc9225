"""A member's savings for a month is one share that the counter and the bills both settle: a
receipt may pay several months, months are billed or paid ahead, and the database keeps each
share paid once

Revision ID: t0020
Revises: t0019
Create Date: 2026-12-05 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0020'
down_revision = 't0019'
branch_labels = None
depends_on = None

# As in saas/savings/models.py when this revision was made.
GUARDS = """
CREATE FUNCTION bill_item_paid_once() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fits boolean;
    reversed boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.receipt_id IS NOT NULL THEN
            RAISE EXCEPTION 'a paid share is never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.receipt_id IS NOT NULL THEN
        IF NEW.amount <> OLD.amount OR NEW.member_id <> OLD.member_id
                OR NEW.bill_id <> OLD.bill_id
                OR (NEW.receipt_id IS NOT NULL AND NEW.receipt_id <> OLD.receipt_id) THEN
            RAISE EXCEPTION 'share % is paid by receipt %', OLD.id, OLD.receipt_id
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.receipt_id IS NULL THEN
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM %I.receipts r JOIN %I.journal_entries e '
                'ON e.reverses_id = r.entry_id WHERE r.id = $1)', TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
                INTO reversed USING OLD.receipt_id;
            IF NOT reversed THEN
                RAISE EXCEPTION 'share % stays paid until receipt % is reversed',
                    OLD.id, OLD.receipt_id USING ERRCODE = 'restrict_violation';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.receipt_id IS NOT NULL THEN
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM %I.receipts r JOIN %I.bills b ON b.id = $2 '
            'WHERE r.id = $1 AND r.member_id = $3 AND r.kind = b.kind AND NOT r.is_withdrawal)',
            TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
            INTO fits USING NEW.receipt_id, NEW.bill_id, NEW.member_id;
        IF NOT fits THEN
            RAISE EXCEPTION 'receipt % is not a deposit of this member''s savings of this kind',
                NEW.receipt_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION bill_items_release_reversed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A reversed deposit pays no month: its shares are owed again, whoever reversed it.
    EXECUTE format(
        'UPDATE %I.bill_items SET receipt_id = NULL WHERE receipt_id IN '
        '(SELECT id FROM %I.receipts WHERE entry_id = $1)', TG_TABLE_SCHEMA, TG_TABLE_SCHEMA)
        USING NEW.reverses_id;
    RETURN NULL;
END $$;

CREATE TRIGGER bill_items_paid_once BEFORE INSERT OR UPDATE OR DELETE ON bill_items
    FOR EACH ROW EXECUTE FUNCTION bill_item_paid_once();
CREATE TRIGGER journal_entries_release_shares AFTER INSERT ON journal_entries
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL)
    EXECUTE FUNCTION bill_items_release_reversed();
"""


def upgrade() -> None:
    op.add_column('bills', sa.Column('billed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE bills SET billed_at = created_at")
    op.drop_constraint(op.f('uq_bill_items_receipt_id'), 'bill_items', type_='unique')
    op.create_index(op.f('ix_bill_items_receipt_id'), 'bill_items', ['receipt_id'])
    op.get_bind().exec_driver_sql(GUARDS.replace("%", "%%"))


def downgrade() -> None:
    op.execute("DROP TRIGGER journal_entries_release_shares ON journal_entries")
    op.execute("DROP TRIGGER bill_items_paid_once ON bill_items")
    op.execute("DROP FUNCTION bill_items_release_reversed()")
    op.execute("DROP FUNCTION bill_item_paid_once()")
    op.drop_index(op.f('ix_bill_items_receipt_id'), table_name='bill_items')
    op.create_unique_constraint(op.f('uq_bill_items_receipt_id'), 'bill_items', ['receipt_id'])
    op.drop_column('bills', 'billed_at')
