"""closing a month closes the earlier ones

Revision ID: t0011
Revises: t0010
Create Date: 2026-11-29 14:50:00
"""
from alembic import op


revision = 't0011'
down_revision = 't0010'
branch_labels = None
depends_on = None

# Nothing is posted on or before the last closed month (as in saas/ledger/models.py).
PERIOD_OPEN = """
CREATE OR REPLACE FUNCTION {schema}.ledger_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.periods WHERE (year, month) >= ($1, $2) '
        'AND closed_at IS NOT NULL)', TG_TABLE_SCHEMA)
        INTO closed
        USING extract(year FROM NEW.entry_date)::int, extract(month FROM NEW.entry_date)::int;
    IF closed THEN
        RAISE EXCEPTION 'the period of % is closed', NEW.entry_date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(PERIOD_OPEN.replace("{schema}.", f'"{schema}".').replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    earlier = PERIOD_OPEN.replace("WHERE (year, month) >= ($1, $2) ", "WHERE year = $1 AND month = $2 ")
    bind.exec_driver_sql(earlier.replace("{schema}.", f'"{schema}".').replace("%", "%%"))
