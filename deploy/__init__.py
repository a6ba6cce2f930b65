"""Deployment examples and the local production-like stack (make serve-prod)."""
