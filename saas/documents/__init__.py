"""The cooperative's legal documents, checked by content and kept outside the web root."""
