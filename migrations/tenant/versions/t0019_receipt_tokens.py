"""Receipts carry an unguessable token for their check page and QR code, and never change

Revision ID: t0019
Revises: t0018
Create Date: 2026-12-05 11:30:00
"""
from alembic import op


revision = 't0019'
down_revision = 't0018'
branch_labels = None
depends_on = None

# As in saas/savings/models.py when this revision was made.
TOKEN = "replace(gen_random_uuid()::text, '-', '')"
GUARDS = """
CREATE FUNCTION receipt_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'receipts are never changed: reverse the entry of the movement'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER receipts_immutable BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipt_immutable();
CREATE TRIGGER receipts_truncate BEFORE TRUNCATE ON receipts
    FOR EACH STATEMENT EXECUTE FUNCTION receipt_immutable();
"""


def upgrade() -> None:
    # A volatile default is evaluated for every existing row: old receipts get their own token.
    op.execute(f"ALTER TABLE receipts ADD COLUMN token varchar(32) NOT NULL DEFAULT {TOKEN}")
    op.create_unique_constraint(op.f('uq_receipts_token'), 'receipts', ['token'])
    op.create_check_constraint(
        op.f('ck_receipts_token_shape'), 'receipts', "token ~ '^[0-9a-f]{32}$'"
    )
    op.execute(GUARDS)


def downgrade() -> None:
    op.execute("DROP TRIGGER receipts_truncate ON receipts")
    op.execute("DROP TRIGGER receipts_immutable ON receipts")
    op.execute("DROP FUNCTION receipt_immutable()")
    op.drop_constraint(op.f('ck_receipts_token_shape'), 'receipts', type_='check')
    op.drop_constraint(op.f('uq_receipts_token'), 'receipts', type_='unique')
    op.drop_column('receipts', 'token')
