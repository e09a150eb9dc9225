"""Kemendagri regions (province → kabupaten/kota → kecamatan → desa/kelurahan), reference data."""
