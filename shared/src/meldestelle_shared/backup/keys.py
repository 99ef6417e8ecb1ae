"""The backup key pair, kept apart from every service's keys: the public half where backups are made, the private half offline."""

from pathlib import Path

from nacl.public import PrivateKey, PublicKey

from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.sealing import SealingError, generate_key_pair, load_private_key, load_public_key

SERVICES = ("intake", "triage", "notify")


def ensure_backup_keys(folder: Path) -> tuple[Path, Path]:
    """Create `folder/backup/backup_public_key` and `folder/backup-restore/backup_private_key` unless they exist.

    The backup job's folder also gets each service's database password as `<service>_mongodb_password`
    when `folder/mongodb/<service>_password` exists (the layout of meldestelle_shared.keygen).
    """
    job, restore = folder / "backup", folder / "backup-restore"
    for part in (job, restore):
        part.mkdir(parents=True, exist_ok=True)
        part.chmod(0o700)
    if not (restore / "backup_private_key").exists():
        private, public = generate_key_pair()
        _write(restore / "backup_private_key", private)
        _write(job / "backup_public_key", public)
    for service in SERVICES:
        password = folder / "mongodb" / f"{service}_password"
        if password.is_file():
            _write(job / f"{service}_mongodb_password", password.read_text())
    return job, restore


def public_key(encoded: str) -> PublicKey:
    """The backup public key, or a clear error when it is missing or malformed."""
    if not encoded.strip():
        raise BackupError("no backup public key: set BACKUP_PUBLIC_KEY or the secret file backup_public_key")
    try:
        return load_public_key(encoded)
    except SealingError as error:
        raise BackupError(f"BACKUP_PUBLIC_KEY: {error}") from None


def private_key(encoded: str) -> PrivateKey:
    """The backup private key, or a clear error when it is missing or malformed."""
    if not encoded.strip():
        raise BackupError("no backup private key: set BACKUP_PRIVATE_KEY or the secret file backup_private_key")
    try:
        return load_private_key(encoded)
    except SealingError as error:
        raise BackupError(f"BACKUP_PRIVATE_KEY: {error}") from None


def _write(path: Path, value: str) -> None:
    path.touch(mode=0o600)
    path.write_text(value)
