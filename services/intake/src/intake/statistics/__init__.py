"""Public monthly statistics: stored as triage publishes them, served as a page, JSON and CSV."""
