"""Cases: made from reports, read by staff."""
