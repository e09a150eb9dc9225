"""Roles and what each may do. Pure data: views declare a permission, the server checks it."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    KETUA = "ketua"
    WAKIL_KETUA = "wakil_ketua"
    SEKRETARIS = "sekretaris"
    BENDAHARA = "bendahara"
    PENGAWAS = "pengawas"
    STAFF = "staff"
    ANGGOTA = "anggota"


ROLE_LABELS = {
    Role.KETUA: _l("Chair (Ketua)"),
    Role.WAKIL_KETUA: _l("Vice chair (Wakil Ketua)"),
    Role.SEKRETARIS: _l("Secretary (Sekretaris)"),
    Role.BENDAHARA: _l("Treasurer (Bendahara)"),
    Role.PENGAWAS: _l("Supervisor (Pengawas)"),
    Role.STAFF: _l("Cashier / staff"),
    Role.ANGGOTA: _l("Member (Anggota)"),
}


class Permission(enum.StrEnum):
    """What a view needs. Each maps to the roles that hold it in ``GRANTS``.

    docs/permissions.md is the same matrix in words; a test holds the two together.
    """

    OFFICER_AREA = "officer_area"  # the officers' home and read-only pages
    MANAGE_TEAM = "manage_team"  # invite colleagues, change roles, deactivate
    POST_MONEY = "post_money"  # record savings, payments, journal entries
    MEMBER_AREA = "member_area"  # a member's own accounts
    EDIT_PROFILE = "edit_profile"  # the microsite: profile, board, units
    MANAGE_MEMBERS = "manage_members"  # register, edit and record the exit of members
    SEE_SENSITIVE = "see_sensitive"  # full NIK and KTP photos (UU 27/2022: as few as possible)
    READ_BOOKS = "read_books"  # the journal and the chart of accounts, read only
    KEEP_BOOKS = "keep_books"  # manual journal entries, reversals, closing a month
    MANAGE_LOANS = "manage_loans"  # loan products and who approves loans
    APPLY_LOANS = "apply_loans"  # take a member's loan application, cancel it, print the akad
    DECIDE_LOANS = "decide_loans"  # approve or reject (the cooperative's settings name roles)
    MANAGE_BILLING = "manage_billing"  # the cooperative's plan at the platform, and its card
    SELL_GOODS = "sell_goods"  # sell at a business unit's counter, close its day
    MANAGE_GOODS = "manage_goods"  # a unit's products and prices, goods received, stock counts
    READ_REGISTERS = "read_registers"  # the mandatory registers (buku wajib), read and printed
    KEEP_REGISTERS = "keep_registers"  # write in the registers but the supervisors' notes
    WRITE_SUPERVISION = "write_supervision"  # the supervisors' own notes
    RUN_MEETINGS = "run_meetings"  # schedule the members' meeting (RAT), run it, record decisions
    TAKE_ATTENDANCE = "take_attendance"  # record who arrives at the members' meeting
    EXPORT_DATA = "export_data"  # download the whole of the cooperative's data, NIK included


# The board (pengurus, Juklak Menkop 1/2025). Any of them may found the cooperative at sign-up,
# so each holds everything set-up needs: the team, the profile and the verification.
PENGURUS = frozenset({Role.KETUA, Role.WAKIL_KETUA, Role.SEKRETARIS, Role.BENDAHARA})
OFFICERS = frozenset({*PENGURUS, Role.PENGAWAS, Role.STAFF})

GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.OFFICER_AREA: OFFICERS,
    Permission.MANAGE_TEAM: PENGURUS,
    Permission.POST_MONEY: frozenset({Role.KETUA, Role.BENDAHARA, Role.STAFF}),
    Permission.MEMBER_AREA: frozenset(Role),
    Permission.EDIT_PROFILE: PENGURUS,
    Permission.MANAGE_MEMBERS: frozenset({*PENGURUS, Role.STAFF}),
    Permission.SEE_SENSITIVE: frozenset({Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA}),
    # The supervisors read everything and post nothing; keeping the books stays the treasurer's.
    Permission.READ_BOOKS: frozenset({*PENGURUS, Role.PENGAWAS}),
    Permission.KEEP_BOOKS: frozenset({Role.BENDAHARA}),
    Permission.MANAGE_LOANS: frozenset({Role.KETUA, Role.BENDAHARA}),
    # Whoever takes money at the counter takes applications too, and so does the secretary.
    Permission.APPLY_LOANS: frozenset({Role.KETUA, Role.BENDAHARA, Role.STAFF, Role.SEKRETARIS}),
    # Every role a cooperative may name as an approver; the decision checks the named ones.
    Permission.DECIDE_LOANS: frozenset({*PENGURUS, Role.PENGAWAS}),
    Permission.MANAGE_BILLING: frozenset({Role.KETUA, Role.BENDAHARA}),
    # The board and the cashiers serve at the shop's counter; the supervisors only read.
    Permission.SELL_GOODS: frozenset({*PENGURUS, Role.STAFF}),
    # Prices and stock are set by the chair, the vice chair for business and the treasurer.
    Permission.MANAGE_GOODS: frozenset({Role.KETUA, Role.WAKIL_KETUA, Role.BENDAHARA}),
    # The secretary keeps the mandatory registers; the board and the supervisors read them, and
    # the supervisors write their own notes.
    Permission.READ_REGISTERS: frozenset({*PENGURUS, Role.PENGAWAS}),
    Permission.KEEP_REGISTERS: frozenset({Role.SEKRETARIS}),
    Permission.WRITE_SUPERVISION: frozenset({Role.PENGAWAS}),
    # The chair and the secretary call and chair the members' meeting; the treasurer helps at
    # the attendance desk. Everyone else reads it.
    Permission.RUN_MEETINGS: frozenset({Role.KETUA, Role.SEKRETARIS}),
    Permission.TAKE_ATTENDANCE: frozenset({Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA}),
    # The whole data leaves with the archive: the chair, who answers for the cooperative, and
    # the treasurer, whose books it holds (both see the NIK already).
    Permission.EXPORT_DATA: frozenset({Role.KETUA, Role.BENDAHARA}),
}


def role_can(role: Role, permission: Permission) -> bool:
    return role in GRANTS[permission]


def role_label(role: Role | str) -> str:
    return str(ROLE_LABELS[Role(role)])
