"""Publishing (`/kelola/terbitkan`): a closed year's statements frozen for the microsite."""
