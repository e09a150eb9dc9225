"""Members' savings (simpanan pokok, wajib, sukarela): every movement is a journal entry."""
