"""The one error the backup command reports: what is wrong, never a traceback."""


class BackupError(Exception):
    """An archive set, a key or a target database is not as a backup or restore needs it."""
