"""The mandatory registers (buku wajib): simple books kept by the secretary, and views of the
members and the board kept elsewhere."""
