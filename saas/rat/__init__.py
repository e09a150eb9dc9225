"""The annual members' meeting (RAT): schedule, invitations, attendance with the quorum,
decisions with votes, the minutes and the RAT pack."""
