"""A member's own area (``/anggota``)."""
