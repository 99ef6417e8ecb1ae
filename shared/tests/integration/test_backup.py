"""The backup command against a real database server (FerretDB, or mongod when installed): exact round trips, and bad sets refused before any write."""

import datetime
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import gridfs
import pytest
from bson import Binary, ObjectId, Regex
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import ASCENDING, DESCENDING, MongoClient

from devstack.database import MongoServer
from devstack.processes import free_port
from meldestelle_shared.backup.__main__ import main
from meldestelle_shared.backup.archive import COLLECTION, DOCUMENT, END, ArchiveWriter
from meldestelle_shared.backup.manifest import Archive, Manifest
from meldestelle_shared.sealing import generate_key_pair, key_id, load_public_key

pytestmark = pytest.mark.infra

PASSWORD = "backup-test-password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServer]:
    """A database server of this module's own, with a user, as a service's server is."""
    database = MongoServer(tmp_path_factory.mktemp("backup-db"), free_port(), username="triage", password=PASSWORD)
    database.start()
    try:
        database.wait_ready()
        yield database
    finally:
        database.stop()


@pytest.fixture
def client(server: MongoServer) -> Iterator[MongoClient]:
    with MongoClient(server.authenticated_uri, serverSelectionTimeoutMS=5000, tz_aware=True) as connected:
        yield connected


@pytest.fixture
def keys() -> tuple[str, str]:
    return generate_key_pair()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, server: MongoServer, unique_name: str, keys: tuple[str, str]):
    """Point the backup command at the module's server, with the test's own database name, like an operator's environment."""

    def configured(database: str = unique_name, private_key: str | None = None) -> str:
        source = {"service": "triage", "uri": server.uri, "database": database}
        if server.username:
            source["username"] = "triage"
        monkeypatch.setenv("BACKUP_SOURCES", json.dumps([source]))
        monkeypatch.setenv("BACKUP_TRIAGE_MONGODB_PASSWORD", PASSWORD)
        monkeypatch.setenv("BACKUP_PUBLIC_KEY", keys[1])
        monkeypatch.setenv("BACKUP_PRIVATE_KEY", private_key or keys[0])
        monkeypatch.delenv("MELDESTELLE_SECRETS_DIR", raising=False)
        return database

    configured()
    return configured


def fill(client: MongoClient, name: str) -> None:
    """Documents of every type the services store, indexes, a read-model database and GridFS files."""
    database = client[name]
    cases = database.get_collection("cases", codec_options=CodecOptions(uuid_representation=UuidRepresentation.STANDARD, tz_aware=True))
    cases.create_index("report_id", unique=True)
    cases.create_index([("status", ASCENDING), ("received_at", DESCENDING)], name="queue_order")
    cases.insert_many(
        {
            "_id": f"DU-{number:05d}",
            "report_id": str(uuid.uuid4()),
            "uuid": uuid.uuid4(),
            "received_at": datetime.datetime(2026, 11, 30, 12, number % 60, tzinfo=datetime.UTC),
            "sealed": Binary(bytes(range(256)) * 3),
            "notes": [{"at": datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC), "text": "ä ö ü ß 漢字"}],
            "status": "new",
            "count": number,
            "ratio": number / 7,
            "none": None,
            "big": 2**40,
            "pattern": Regex("^DU-", "i"),
        }
        for number in range(2500)
    )
    database["audit"].insert_one({"_id": ObjectId(), "action": "case.opened"})
    database.create_collection("empty")
    client[f"{name}_statistics"]["months"].insert_one({"_id": "2026-11", "total": 2500})
    files = gridfs.GridFS(client[f"{name}_evidence"], collection="evidence")
    files.put(b"\x00sealed evidence\xff" * 40_000, filename="a.bin")  # several chunks


def snapshot(client: MongoClient, name: str) -> dict:
    """Every document's exact BSON bytes and every index, of a database and its companions."""
    raw = CodecOptions(document_class=RawBSONDocument)
    state = {}
    for database in sorted(n for n in client.list_database_names() if n == name or n.startswith(f"{name}_")):
        for collection in sorted(client[database].list_collection_names()):
            handle = client[database].get_collection(collection, codec_options=raw)
            documents = sorted(bytes(document.raw) for document in handle.find())
            indexes = sorted((index["name"], list(index["key"].items()), bool(index.get("unique"))) for index in client[database][collection].list_indexes())
            state[(database[len(name) :], collection)] = (documents, indexes)
    return state


def drop_all(client: MongoClient, name: str) -> None:
    for database in client.list_database_names():
        if database == name or database.startswith(f"{name}_"):
            client.drop_database(database)


def test_a_backup_restores_every_document_byte_for_byte_with_its_indexes(client, configure, unique_name, tmp_path, capsys):
    fill(client, unique_name)
    before = snapshot(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    assert main(["verify", str(tmp_path / "set")]) == 0
    manifest = Manifest.read(tmp_path / "set")
    assert f"{sum(a.documents for a in manifest.archives)} documents decrypted and counted" in capsys.readouterr().out
    by_database = {archive.database: archive for archive in manifest.archives}
    assert set(by_database) == {unique_name, f"{unique_name}_statistics", f"{unique_name}_evidence"}
    assert by_database[unique_name].collections["cases"] == {"documents": 2500, "indexes": ["_id_", "queue_order", "report_id_1"]}
    assert by_database[f"{unique_name}_evidence"].collections["evidence.chunks"]["documents"] >= 3
    assert b"sealed evidence" not in (tmp_path / "set" / by_database[f"{unique_name}_evidence"].file).read_bytes()  # encrypted

    drop_all(client, unique_name)
    assert main(["restore", str(tmp_path / "set")]) == 0
    assert snapshot(client, unique_name) == before
    with pytest.raises(Exception, match="duplicate key|E11000"):
        client[unique_name]["cases"].insert_one({"report_id": client[unique_name]["cases"].find_one()["report_id"]})


def test_a_set_restores_under_other_database_names(client, configure, unique_name, tmp_path):
    fill(client, unique_name)
    before = snapshot(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    configure(database=f"{unique_name}b")
    assert main(["restore", str(tmp_path / "set")]) == 0
    assert snapshot(client, f"{unique_name}b") == before
    drop_all(client, f"{unique_name}b")


def test_restore_into_a_non_empty_database_is_refused_unless_replace(client, configure, unique_name, tmp_path, capsys):
    fill(client, unique_name)
    before = snapshot(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    client[unique_name]["cases"].delete_many({"count": {"$gte": 100}})
    client[unique_name]["later"].insert_one({"_id": 1})

    assert main(["restore", str(tmp_path / "set")]) == 2
    assert "refusing to restore into non-empty databases" in capsys.readouterr().err
    assert client[unique_name]["cases"].count_documents({}) == 100 and client[unique_name]["later"].count_documents({}) == 1

    assert main(["restore", "--replace", str(tmp_path / "set")]) == 0
    assert snapshot(client, unique_name) == before


def _damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _damage_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_damage_flip, "SHA-256 differs from the manifest"),
        (_damage_truncate, "truncated or damaged"),
        (lambda path: path.unlink(), "missing from the backup set"),
    ],
    ids=["flipped-byte", "truncated", "missing-file"],
)
def test_a_damaged_set_is_refused_before_anything_is_written(client, configure, unique_name, tmp_path, capsys, damage, message):
    fill(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    manifest = Manifest.read(tmp_path / "set")
    # The statistics archive is restored last: a restore that wrote as it read would have written the others.
    damage(tmp_path / "set" / next(a.file for a in manifest.archives if a.database.endswith("_statistics")))
    drop_all(client, unique_name)

    assert main(["verify", str(tmp_path / "set")]) == 2
    assert message in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "set")]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(client, unique_name) == {}


def test_damage_the_hashes_miss_is_caught_by_decryption_before_anything_is_written(client, configure, unique_name, tmp_path, capsys):
    """Whoever rewrites an archive and its manifest hash together still cannot forge the authenticated chunks."""
    fill(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    manifest = Manifest.read(tmp_path / "set")
    archive = next(a for a in manifest.archives if a.database == unique_name)
    _damage_flip(tmp_path / "set" / archive.file)
    archive.sha256 = __import__("hashlib").sha256((tmp_path / "set" / archive.file).read_bytes()).hexdigest()
    manifest.write(tmp_path / "set")
    drop_all(client, unique_name)

    assert main(["restore", str(tmp_path / "set")]) == 2
    assert "damaged (a chunk fails authentication)" in capsys.readouterr().err
    assert snapshot(client, unique_name) == {}


def test_the_wrong_private_key_is_refused_before_anything_is_written(client, configure, unique_name, tmp_path, capsys):
    fill(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    drop_all(client, unique_name)
    configure(private_key=generate_key_pair()[0])

    assert main(["verify", str(tmp_path / "set")]) == 2
    assert "is not the one this set was made for" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "set")]) == 2
    assert snapshot(client, unique_name) == {}
    assert main(["verify", "--hashes-only", str(tmp_path / "set")]) == 0  # the files themselves are intact


def test_an_archive_swapped_for_another_databases_does_not_decrypt(client, configure, unique_name, tmp_path, capsys):
    fill(client, unique_name)
    assert main(["create", str(tmp_path / "set")]) == 0
    manifest = Manifest.read(tmp_path / "set")
    main_archive, statistics = (next(a for a in manifest.archives if a.database == name) for name in (unique_name, f"{unique_name}_statistics"))
    main_archive.file, statistics.file = statistics.file, main_archive.file
    main_archive.sha256, statistics.sha256 = statistics.sha256, main_archive.sha256
    main_archive.bytes, statistics.bytes = statistics.bytes, main_archive.bytes
    manifest.write(tmp_path / "set")
    drop_all(client, unique_name)

    assert main(["restore", str(tmp_path / "set")]) == 2
    assert "fails authentication" in capsys.readouterr().err
    assert snapshot(client, unique_name) == {}


def test_a_write_that_fails_midway_empties_every_database_it_wrote(client, configure, unique_name, tmp_path, keys, capsys):
    """A set whose second database cannot be written (a duplicate under a unique index): the first is emptied again."""
    folder = tmp_path / "set"
    folder.mkdir()
    public = load_public_key(keys[1])
    archives = []
    for database, documents in ((unique_name, [{"_id": 1}, {"_id": 2}]), (f"{unique_name}_queue", [{"_id": 1}, {"_id": 1}])):
        archive = Archive(service="triage", source_database=unique_name, database=database, file=f"triage.{database}.mbak")
        writer = ArchiveWriter(folder / archive.file, public, archive.label)
        writer.record(COLLECTION, {"name": "entries", "indexes": []})
        for document in documents:
            writer.record(DOCUMENT, document)
        writer.record(END, {"name": "entries", "documents": len(documents)})
        archive.sha256, archive.bytes = writer.close()
        archive.collections = {"entries": {"documents": len(documents), "indexes": ["_id_"]}}
        archives.append(archive)
    Manifest(created_at="2026-12-01T00:00:00+00:00", key_id=key_id(public), archives=archives).write(folder)

    assert main(["restore", str(folder)]) == 2
    assert "the databases it had written were emptied again" in capsys.readouterr().err
    assert snapshot(client, unique_name) == {}


def test_an_unreachable_server_is_a_clear_error_and_leaves_no_set(monkeypatch, keys, tmp_path, capsys):
    source = {"service": "triage", "uri": f"mongodb://127.0.0.1:{free_port()}/", "database": "triage"}
    monkeypatch.setenv("BACKUP_SOURCES", json.dumps([source]))
    monkeypatch.setenv("BACKUP_PUBLIC_KEY", keys[1])
    monkeypatch.setenv("BACKUP_TIMEOUT_MS", "500")
    assert main(["create", str(tmp_path / "set")]) == 2
    assert "backup: error: database: ServerSelectionTimeoutError" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # neither the set nor its .partial folder
