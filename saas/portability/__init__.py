"""Each cooperative's data as one archive: export, restore, moves between shards, capacity."""
