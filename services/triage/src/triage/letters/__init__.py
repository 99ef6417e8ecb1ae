"""Letters: versioned Jinja2 templates (sandboxed), letters rendered to PDF and stored sealed with their case."""
