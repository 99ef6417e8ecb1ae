"""The append-only audit log of every view, change, export and login."""
