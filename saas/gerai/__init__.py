"""The gerai: business units' products, stock, sales and the day's closing."""
