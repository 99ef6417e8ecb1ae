"""Statistics: event-maintained counts and their publication."""
