"""Restoring a backup set: verify everything first, refuse non-empty targets, then write; a failed write empties what it wrote.

Why not restore into temporary databases and rename: FerretDB v1 cannot rename a collection into
another database, and a rename per collection inside the target would still leave a window with half
the collections. So the whole set is decrypted and counted before the first write (a damaged,
truncated or foreign archive never reaches a database), and if writing still fails (the server goes
away) every database this run wrote is emptied again, so a database is either restored or empty.
"""

from collections.abc import Callable
from pathlib import Path

from nacl.public import PrivateKey
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from meldestelle_shared.backup.archive import COLLECTION, DOCUMENT, END, read_records
from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.backup.manifest import Archive
from meldestelle_shared.backup.settings import BackupSettings, Source
from meldestelle_shared.backup.verify import Verified, verify_backup

_BATCH_BYTES = 8 << 20  # at most this much of one insert in memory


def restore_backup(
    settings: BackupSettings, private_key: PrivateKey, folder: Path, *, replace: bool = False, say: Callable[[str], None] = print
) -> Verified:
    """Restore every archive of the set into its source's server; `replace` empties non-empty targets first."""
    verified = verify_backup(folder, private_key)
    say(f"verified {len(verified.manifest.archives)} archives, {verified.documents_checked} documents")
    sources = {source.service: source for source in settings.sources}
    missing = sorted({archive.service for archive in verified.manifest.archives} - sources.keys())
    if missing:
        raise BackupError(f"no source configured for {', '.join(missing)} (BACKUP_SOURCES)")
    clients = {service: source.client(settings.timeout_ms) for service, source in sources.items()}
    try:
        targets = [(archive, sources[archive.service], _target_name(archive, sources[archive.service])) for archive in verified.manifest.archives]
        occupied = [f"{source.service}:{name}" for _, source, name in targets if clients[source.service][name].list_collection_names()]
        if occupied and not replace:
            raise BackupError(f"refusing to restore into non-empty databases: {', '.join(occupied)} (use --replace to drop them first)")
        written: list[tuple[MongoClient, str]] = []
        try:
            for archive, source, name in targets:
                client = clients[source.service]
                _empty(client, name)
                written.append((client, name))
                _write_archive(folder / archive.file, archive, private_key, client[name], settings.batch_size)
                say(f"restored {source.service}:{name} ({archive.documents} documents)")
        except (PyMongoError, BackupError) as error:
            for client, name in written:
                _empty_quietly(client, name)
            raise BackupError(f"restore failed ({type(error).__name__}: {error}); the databases it had written were emptied again") from None
    finally:
        for client in clients.values():
            client.close()
    return verified


def _target_name(archive: Archive, source: Source) -> str:
    """Where an archive goes: the configured database, or its companion with the same suffix (so a set restores under other names)."""
    return source.database + archive.database[len(archive.source_database) :]


def _write_archive(path: Path, archive: Archive, private_key: PrivateKey, database, batch_size: int) -> None:
    collection, batch, written, pending = None, [], 0, 0
    for kind, record in read_records(path, private_key, archive.label):
        if kind == COLLECTION:
            collection, written = database[record["name"]], 0
            database.create_collection(record["name"])
            for index in record["indexes"]:
                if index["name"] != "_id_":
                    options = {key: value for key, value in index.items() if key not in ("v", "key", "ns")}
                    collection.create_index(list(index["key"].items()), **options)
        elif kind == DOCUMENT:
            batch.append(record)
            pending += len(record.raw)
            if len(batch) >= batch_size or pending >= _BATCH_BYTES:  # bytes too: GridFS chunks are 255 KiB each
                written, pending = written + _insert(collection, batch), 0
        elif kind == END:
            written, pending = written + _insert(collection, batch), 0
            if written != record["documents"]:
                raise BackupError(f"{path.name}: {record['name']}: wrote {written} documents, expected {record['documents']}")


def _insert(collection, batch: list) -> int:
    if batch:
        collection.insert_many(batch, ordered=True)
    count = len(batch)
    batch.clear()
    return count


def _empty(client: MongoClient, name: str) -> None:
    # Collection by collection, not dropDatabase: MongoDB's readWrite role (a service's) may drop collections, not databases.
    for collection in client[name].list_collection_names():
        if not collection.startswith("system."):
            client[name].drop_collection(collection)


def _empty_quietly(client: MongoClient, name: str) -> None:
    try:
        _empty(client, name)
    except PyMongoError:
        pass  # the server is away: the restore's error says so already, and a new restore drops it first
