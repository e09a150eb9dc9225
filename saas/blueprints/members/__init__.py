"""The members' register (``/kelola/anggota``): members, their exits, cards, online access,
import and export, and any member's savings statement for the officers."""
