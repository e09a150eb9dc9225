"""The cooperative's public face: profile, board, business units (and, later, news and products)."""
