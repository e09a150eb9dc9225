"""The annual members' meeting (RAT): meetings, invitations, attendance and decisions, with the
quorum and the closed meeting kept by the database

Revision ID: t0033
Revises: t0035
Create Date: 2026-12-05 19:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 't0033'
down_revision = 't0035'
branch_labels = None
depends_on = None

GUARDS = """
CREATE FUNCTION {schema}.rat_meeting_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed: nothing of it changes', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'scheduled' THEN
            RAISE EXCEPTION 'members'' meeting % was held: it is never deleted', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.entitled IS NOT NULL AND NEW.entitled IS DISTINCT FROM OLD.entitled THEN
        RAISE EXCEPTION 'the members entitled to attend meeting % were counted when it opened',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'open' AND NEW.status = 'scheduled' THEN
        RAISE EXCEPTION 'members'' meeting % is open already', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'scheduled' AND NEW.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed once it was held', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {schema}.rat_part_of_meeting() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema} AS $$
DECLARE
    meeting rat_meetings%ROWTYPE;
    present integer;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'a members'' meeting''s records are kept'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'a members'' meeting''s record is never changed or removed'
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT * INTO meeting FROM rat_meetings WHERE id = NEW.meeting_id FOR SHARE;
    IF meeting.status = 'closed' THEN
        RAISE EXCEPTION 'members'' meeting % is closed: nothing of it changes', meeting.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_TABLE_NAME = 'rat_invitations' THEN
        RETURN NEW;
    END IF;
    IF meeting.status <> 'open' THEN
        RAISE EXCEPTION 'members'' meeting % has not opened', meeting.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_TABLE_NAME = 'rat_attendance' THEN
        IF NOT EXISTS (SELECT FROM members WHERE id = NEW.member_id AND status = 'active') THEN
            RAISE EXCEPTION 'only active members attend: member %', NEW.member_id
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.proxy_id IS NOT NULL AND (NOT meeting.proxies_allowed OR NOT EXISTS (
                SELECT FROM rat_attendance WHERE meeting_id = meeting.id
                AND member_id = NEW.proxy_id AND proxy_id IS NULL)) THEN
            RAISE EXCEPTION 'a proxy is held by a member present in person, where the bylaws allow'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    SELECT count(*) INTO present FROM rat_attendance WHERE meeting_id = meeting.id;
    IF present < meeting.entitled * meeting.quorum_numerator / meeting.quorum_denominator + 1 THEN
        RAISE EXCEPTION 'members'' meeting % has no quorum: its decisions cannot be taken',
            meeting.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.votes_for + NEW.votes_against + NEW.votes_abstain > present THEN
        RAISE EXCEPTION 'more votes than members present at meeting %', meeting.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER rat_meetings_kept BEFORE UPDATE OR DELETE ON {schema}.rat_meetings
    FOR EACH ROW EXECUTE FUNCTION {schema}.rat_meeting_kept();
"""
PART_KEPT = """
CREATE TRIGGER {table}_kept BEFORE INSERT OR UPDATE OR DELETE ON {schema}.{table}
    FOR EACH ROW EXECUTE FUNCTION {schema}.rat_part_of_meeting();
CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {schema}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.rat_part_of_meeting();
"""
PARTS = ("rat_invitations", "rat_attendance", "rat_decisions")


def upgrade() -> None:
    op.create_table('rat_meetings',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.Enum('rat', 'rat-lb', name='rat_kind', native_enum=False, length=20), nullable=False),
    sa.Column('book_year', sa.SmallInteger(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.String(length=2000), nullable=False),
    sa.Column('quorum_numerator', sa.SmallInteger(), nullable=False),
    sa.Column('quorum_denominator', sa.SmallInteger(), nullable=False),
    sa.Column('proxies_allowed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'open', 'closed', name='rat_status', native_enum=False, length=20), nullable=False),
    sa.Column('entitled', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invitation_letter_id', sa.BigInteger(), nullable=True),
    sa.Column('minutes_entry_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quorum_numerator > 0 AND quorum_numerator < quorum_denominator', name=op.f('ck_rat_meetings_quorum_a_fraction')),
    sa.CheckConstraint("status = 'scheduled' OR entitled IS NOT NULL", name=op.f('ck_rat_meetings_entitled_counted')),
    sa.CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name=op.f('ck_rat_meetings_closed_when')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rat_meetings_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['invitation_letter_id'], ['letters.id'], name=op.f('fk_rat_meetings_invitation_letter_id_letters'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['minutes_entry_id'], ['register_entries.id'], name=op.f('fk_rat_meetings_minutes_entry_id_register_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_meetings')),
    sa.UniqueConstraint('invitation_letter_id', name=op.f('uq_rat_meetings_invitation_letter_id')),
    sa.UniqueConstraint('minutes_entry_id', name=op.f('uq_rat_meetings_minutes_entry_id'))
    )
    op.create_index('uq_rat_meetings_annual_year', 'rat_meetings', ['book_year'], unique=True, postgresql_where=sa.text("kind = 'rat'"))
    op.create_table('rat_invitations',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('meeting_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['rat_meetings.id'], name=op.f('fk_rat_invitations_meeting_id_rat_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_rat_invitations_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_rat_invitations_sent_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_invitations')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_rat_invitations_meeting_id_member_id'))
    )
    op.create_table('rat_attendance',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('meeting_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('proxy_id', sa.BigInteger(), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('proxy_id <> member_id', name=op.f('ck_rat_attendance_not_own_proxy')),
    sa.ForeignKeyConstraint(['meeting_id'], ['rat_meetings.id'], name=op.f('fk_rat_attendance_meeting_id_rat_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_rat_attendance_member_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['proxy_id'], ['members.id'], name=op.f('fk_rat_attendance_proxy_id_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_rat_attendance_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_rat_attendance_meeting_id_member_id'))
    )
    op.create_index('uq_rat_attendance_one_proxy', 'rat_attendance', ['meeting_id', 'proxy_id'], unique=True, postgresql_where=sa.text('proxy_id IS NOT NULL'))
    op.create_table('rat_decisions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('meeting_id', sa.BigInteger(), nullable=False),
    sa.Column('topic', sa.Enum('statements', 'shu', 'officers', 'work_plan', 'other', name='rat_topic', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('shu_year', sa.SmallInteger(), nullable=True),
    sa.Column('shu_fingerprint', sa.String(length=32), nullable=True),
    sa.Column('shu_amount', sa.BigInteger(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0', name=op.f('ck_rat_decisions_votes_counted')),
    sa.CheckConstraint('approved = (votes_for > votes_against)', name=op.f('ck_rat_decisions_majority_carries')),
    sa.CheckConstraint("(topic = 'shu') = (shu_fingerprint IS NOT NULL AND shu_year IS NOT NULL)", name=op.f('ck_rat_decisions_shu_names_its_plan')),
    sa.ForeignKeyConstraint(['meeting_id'], ['rat_meetings.id'], name=op.f('fk_rat_decisions_meeting_id_rat_meetings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_rat_decisions_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rat_decisions'))
    )
    op.create_index(op.f('ix_rat_decisions_meeting_id'), 'rat_decisions', ['meeting_id'], unique=False)
    op.create_index('uq_rat_decisions_approved_topic', 'rat_decisions', ['meeting_id', 'topic'], unique=True, postgresql_where=sa.text("approved AND topic <> 'other'"))

    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    guards = GUARDS + "".join(PART_KEPT.replace("{table}", table) for table in PARTS)
    bind.exec_driver_sql(guards.replace("{schema}", f'"{schema}"').replace("%", "%%"))


def downgrade() -> None:
    op.drop_table('rat_decisions')
    op.drop_table('rat_attendance')
    op.drop_table('rat_invitations')
    op.drop_table('rat_meetings')
    op.execute("DROP FUNCTION rat_part_of_meeting()")
    op.execute("DROP FUNCTION rat_meeting_kept()")
