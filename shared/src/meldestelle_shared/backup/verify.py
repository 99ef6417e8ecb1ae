"""Verifying a backup set against its manifest, without a database: files, sizes and hashes, then (with the key) every chunk and count."""

from dataclasses import dataclass
from pathlib import Path

from nacl.public import PrivateKey

from meldestelle_shared.backup.archive import COLLECTION, DOCUMENT, END, file_sha256, read_records
from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.backup.manifest import Archive, Manifest
from meldestelle_shared.sealing import key_id


@dataclass
class Verified:
    """What a verification found: the manifest and how many documents were decrypted and counted."""

    manifest: Manifest
    documents_checked: int


def verify_backup(folder: Path, private_key: PrivateKey | None) -> Verified:
    """Check every archive's presence, size and SHA-256; with the private key also decrypt and count every record.

    Raises BackupError on the first difference, naming the file and what is wrong.
    """
    manifest = Manifest.read(folder)
    if private_key is not None and key_id(private_key) != manifest.key_id:
        raise BackupError(f"the backup private key (id {key_id(private_key)}) is not the one this set was made for (id {manifest.key_id})")
    for archive in manifest.archives:
        _check_file(folder, archive)
    checked = 0
    if private_key is not None:
        for archive in manifest.archives:
            checked += check_contents(folder / archive.file, archive, private_key)
    return Verified(manifest, checked)


def _check_file(folder: Path, archive: Archive) -> None:
    path = folder / archive.file
    if Path(archive.file).name != archive.file:
        raise BackupError(f"manifest names a file outside the set: {archive.file!r}")
    if not path.is_file():
        raise BackupError(f"{archive.file}: missing from the backup set")
    if path.stat().st_size != archive.bytes:
        raise BackupError(f"{archive.file}: {path.stat().st_size} bytes, the manifest says {archive.bytes} (truncated or damaged)")
    if file_sha256(path) != archive.sha256:
        raise BackupError(f"{archive.file}: SHA-256 differs from the manifest (damaged)")


def check_contents(path: Path, archive: Archive, private_key: PrivateKey) -> int:
    """Decrypt an archive and check its records against the manifest's counts; returns the documents counted."""
    counts: dict[str, int] = {}
    current, seen = None, 0
    for kind, record in read_records(path, private_key, archive.label):
        if kind == COLLECTION:
            if current is not None:
                raise BackupError(f"{path.name}: damaged (collection {current!r} has no end)")
            current, seen = record["name"], 0
        elif kind == DOCUMENT:
            if current is None:
                raise BackupError(f"{path.name}: damaged (a document outside any collection)")
            seen += 1
        elif kind == END:
            if current != record["name"] or record["documents"] != seen:
                raise BackupError(f"{path.name}: damaged (collection {current!r}: {seen} documents, its end record says otherwise)")
            counts[current], current = seen, None
    if current is not None:
        raise BackupError(f"{path.name}: damaged (collection {current!r} has no end)")
    expected = {name: entry["documents"] for name, entry in archive.collections.items()}
    if counts != expected:
        raise BackupError(f"{path.name}: its collections and counts differ from the manifest: {counts} against {expected}")
    return sum(counts.values())
