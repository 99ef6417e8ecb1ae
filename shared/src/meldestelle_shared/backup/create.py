"""Creating a backup set: every collection of each source's databases, as raw BSON, into encrypted archives.

Reads through the driver only (FerretDB and MongoDB alike). Neither has a snapshot across
collections here (FerretDB has no transactions), so a set taken while the services write is
consistent per document, not across collections; docs/operations.md says what that means.
"""

import shutil
from datetime import UTC, datetime
from pathlib import Path

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from nacl.public import PublicKey

from meldestelle_shared.backup.archive import COLLECTION, DOCUMENT, END, ArchiveWriter
from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.backup.manifest import Archive, Manifest
from meldestelle_shared.backup.settings import BackupSettings, Source
from meldestelle_shared.sealing import key_id

_RAW = CodecOptions(document_class=RawBSONDocument)


def create_backup(settings: BackupSettings, public_key: PublicKey, folder: Path) -> Manifest:
    """Write a backup set into `folder` (which must not exist); a failed run leaves nothing that looks like a set."""
    if folder.exists():
        raise BackupError(f"{folder}: exists already; a backup set goes into a new folder")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True, mode=0o700)
    try:
        archives = [archive for source in settings.sources for archive in _back_up_source(source, settings, public_key, partial)]
        manifest = Manifest(created_at=datetime.now(UTC).isoformat(), key_id=key_id(public_key), archives=archives)
        manifest.write(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(folder)  # the manifest is written last and the folder renamed: a set is complete or absent
    return manifest


def _back_up_source(source: Source, settings: BackupSettings, public_key: PublicKey, folder: Path) -> list[Archive]:
    with source.client(settings.timeout_ms) as client:
        names = sorted(name for name in client.list_database_names() if source.owns(name))
        if source.database not in names:
            names.insert(0, source.database)  # recorded even when empty, so a restore knows it
        archives = []
        for name in names:
            archive = Archive(service=source.service, source_database=source.database, database=name, file=f"{source.service}.{name}.mbak")
            writer = ArchiveWriter(folder / archive.file, public_key, archive.label)
            try:
                _write_database(client[name], writer, archive)
                archive.sha256, archive.bytes = writer.close()
            except BaseException:
                writer.abort()
                raise
            archives.append(archive)
        return archives


def _write_database(database, writer: ArchiveWriter, archive: Archive) -> None:
    for name in sorted(database.list_collection_names()):
        if name.startswith("system."):
            continue
        collection = database.get_collection(name, codec_options=_RAW)
        indexes = list(database[name].list_indexes())  # as the server describes them: key order and options kept
        writer.record(COLLECTION, {"name": name, "indexes": indexes})
        count = 0
        for document in collection.find(batch_size=1000):
            writer.record(DOCUMENT, document.raw)
            count += 1
        writer.record(END, {"name": name, "documents": count})
        archive.collections[name] = {"documents": count, "indexes": sorted(index["name"] for index in indexes)}
