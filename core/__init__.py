"""Shared pieces every app may use; imports nothing from the apps (the bottom layer)."""
