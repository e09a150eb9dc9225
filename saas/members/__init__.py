"""The members' register (anggota)."""
