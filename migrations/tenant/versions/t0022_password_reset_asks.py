"""A member without email asks for a new password; an officer's access link then replaces it once

Revision ID: t0022
Revises: t0021
Create Date: 2026-12-05 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0022'
down_revision = 't0021'
branch_labels = None
depends_on = None

# As in saas/accounts/models.py when this revision was made.
GUARDS = """
CREATE FUNCTION password_reset_ask_for_member() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fits boolean;
BEGIN
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I.users WHERE id = $1 AND role = ''anggota'' '
        'AND email IS NULL)', TG_TABLE_SCHEMA) INTO fits USING NEW.user_id;
    IF NOT fits THEN
        RAISE EXCEPTION 'a new password is asked only for a member''s account without email'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER password_reset_asks_for_members BEFORE INSERT OR UPDATE OF user_id
    ON password_reset_asks
    FOR EACH ROW EXECUTE FUNCTION password_reset_ask_for_member();
"""


def upgrade() -> None:
    op.create_table(
        'password_reset_asks',
        sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            'expires_at > asked_at', name=op.f('ck_password_reset_asks_expires_after_asked')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_password_reset_asks_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_asks')),
    )
    op.create_index(
        op.f('ix_password_reset_asks_user_id'), 'password_reset_asks', ['user_id'], unique=False
    )
    op.get_bind().exec_driver_sql(GUARDS.replace("%", "%%"))


def downgrade() -> None:
    op.execute("DROP TRIGGER password_reset_asks_for_members ON password_reset_asks")
    op.execute("DROP FUNCTION password_reset_ask_for_member()")
    op.drop_index(op.f('ix_password_reset_asks_user_id'), table_name='password_reset_asks')
    op.drop_table('password_reset_asks')
