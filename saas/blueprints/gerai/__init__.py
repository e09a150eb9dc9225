"""The gerai: a business unit's products, stock and counter (``/kelola/gerai``)."""
