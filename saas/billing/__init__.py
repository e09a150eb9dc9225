"""The platform's own business: plans, the cooperatives' subscriptions, and Stripe behind one
module (``stripe_gateway``)."""
