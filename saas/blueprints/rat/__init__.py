"""The members' meeting (RAT): schedule, invitations, attendance, decisions and the pack."""
