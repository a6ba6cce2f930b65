"""Signals between apps that may not import each other (the import layers in pyproject.toml)."""

from django.dispatch import Signal

# Sent by imports.services.import_history once an import is written (not on a dry run). The
# reports app draws the charts of its opening pages for the new data (reports.warm).
data_imported = Signal()
