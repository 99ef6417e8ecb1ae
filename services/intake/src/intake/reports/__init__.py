"""Submitting a report."""
