"""Encrypted backups of every service's databases: `python -m meldestelle_shared.backup create|restore|verify|keygen`.

One archive per database (BSON documents and index definitions, encrypted with libsodium's
secretstream under a random key sealed to the backup public key), plus a manifest with each
collection's document count and each archive's SHA-256. See docs/operations.md, "Backups".
"""
