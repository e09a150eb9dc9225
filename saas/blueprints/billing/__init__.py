"""The cooperative's plan and billing page, and the Stripe webhook."""
