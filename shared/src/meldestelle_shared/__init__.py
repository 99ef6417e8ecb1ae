"""Contracts and common plumbing shared by the Meldestelle services."""
