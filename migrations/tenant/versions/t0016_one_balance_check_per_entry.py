"""One balance check per entry: the first passing check of an entry stands for its other queued
checks until more lines are inserted

Revision ID: t0016
Revises: t0015
Create Date: 2026-11-29 16:50:00
"""
from alembic import op


revision = 't0016'
down_revision = 't0015'
branch_labels = None
depends_on = None

# As in saas/ledger/models.py when this revision was made.
BALANCED = """
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    checked text;
    debits numeric;
    credits numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
    -- An entry and each of its lines queue one check; once one passes, the others have nothing
    -- left to find until more lines are inserted (ledger_forget_balanced, before every insert).
    checked := TG_TABLE_SCHEMA || '.' || entry;
    IF current_setting('guyub.balanced_entry', true) = checked THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) '
        'FROM %I.journal_lines WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines USING entry;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            entry, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('guyub.balanced_entry', checked, true);
    RETURN NULL;
END $$;

CREATE FUNCTION {schema}.ledger_forget_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('guyub.balanced_entry', '', true);
    RETURN NULL;
END $$;

CREATE TRIGGER journal_lines_forget_balanced BEFORE INSERT ON {schema}.journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.ledger_forget_balanced();
"""

# The check of revision t0008: every queued check reads the entry's lines.
EVERY_CHECK = """
DROP TRIGGER journal_lines_forget_balanced ON {schema}.journal_lines;
DROP FUNCTION {schema}.ledger_forget_balanced();
CREATE OR REPLACE FUNCTION {schema}.ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
    debits numeric;
    credits numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'journal_entries' THEN entry := NEW.id; ELSE entry := NEW.entry_id; END IF;
    EXECUTE format(
        'SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*) '
        'FROM %I.journal_lines WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO debits, credits, lines USING entry;
    IF lines < 2 OR debits <> credits OR debits = 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: % lines, debit %, credit %',
            entry, lines, debits, credits USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""


def _run(ddl: str) -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    bind.exec_driver_sql(ddl.replace("{schema}.", f'"{schema}".').replace("%", "%%"))


def upgrade() -> None:
    _run(BALANCED)


def downgrade() -> None:
    _run(EVERY_CHECK)
