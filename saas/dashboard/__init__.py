"""National figures: per-tenant summary rows kept by tenant operations, aggregated per region."""
