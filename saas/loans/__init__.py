"""Member loans: products, applications, schedules, repayments and their quality."""
