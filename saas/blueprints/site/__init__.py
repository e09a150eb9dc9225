"""Every host's public pages: the platform's and a cooperative's home, its microsite sections,
and the checks behind the QR codes on receipts and member cards."""
