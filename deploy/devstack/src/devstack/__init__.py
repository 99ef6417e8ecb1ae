"""Local infrastructure for Meldestelle: Kafka, a MongoDB-compatible server and an SMTP sink as plain processes."""
