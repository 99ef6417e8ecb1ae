"""The manifest: which archives a backup set holds, each one's SHA-256 and size, and each collection's document count."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from meldestelle_shared.backup.errors import BackupError

FORMAT = "meldestelle-backup/1"
MANIFEST = "manifest.json"


@dataclass
class Archive:
    """One database's archive in a backup set."""

    service: str
    source_database: str  # the service's database; `database` is it or one of its `<database>_` companions
    database: str
    file: str
    sha256: str = ""
    bytes: int = 0
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)  # name: {"documents": n, "indexes": [names]}

    @property
    def label(self) -> str:
        """What the archive's chunks are bound to: a file renamed to another database's does not decrypt."""
        return f"{self.service}/{self.database}"

    @property
    def documents(self) -> int:
        """Documents in the archive, all collections together."""
        return sum(collection["documents"] for collection in self.collections.values())


@dataclass
class Manifest:
    """A backup set: when, to which key, and its archives."""

    created_at: str
    key_id: str
    archives: list[Archive]
    format: str = FORMAT

    def write(self, folder: Path) -> None:
        """Write manifest.json into the set's folder."""
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        """Read a set's manifest, or say clearly why it cannot be read."""
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{path}: missing (not a backup set, or an incomplete one)")
        try:
            data = json.loads(path.read_text())
            if data.get("format") != FORMAT:
                raise BackupError(f"{path}: unknown format {data.get('format')!r}, expected {FORMAT}")
            return cls(
                created_at=data["created_at"], key_id=data["key_id"], archives=[Archive(**entry) for entry in data["archives"]]
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(f"{path}: damaged ({type(error).__name__}: {error})") from None
