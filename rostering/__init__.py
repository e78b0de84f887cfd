"""Rostering: import schools and people from a OneRoster CSV export, and keep them in sync."""
