"""Onboarding: self-registration of a cooperative, up to its verification."""
