"""triage: consumes reports, keeps cases in the database, serves the staff workbench."""
