"""The archive format on its own: records round-trip across chunks, and every kind of damage is refused with a clear error."""

import datetime
import uuid
from pathlib import Path

import bson
import pytest
from bson import Binary
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions

from meldestelle_shared.backup import archive
from meldestelle_shared.backup.archive import COLLECTION, DOCUMENT, END, ArchiveWriter, read_records
from meldestelle_shared.backup.errors import BackupError
from meldestelle_shared.sealing import generate_key_pair, load_private_key, load_public_key

STANDARD = CodecOptions(uuid_representation=UuidRepresentation.STANDARD, tz_aware=True)


@pytest.fixture
def keys():
    private, public = generate_key_pair()
    return load_private_key(private), load_public_key(public)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(archive, "CHUNK_BYTES", 4096)  # many chunks from few documents


def write(path: Path, public, documents: list[dict], label: str = "triage/triage") -> None:
    writer = ArchiveWriter(path, public, label)
    writer.record(COLLECTION, {"name": "cases", "indexes": []})
    for document in documents:
        writer.record(DOCUMENT, bson.encode(document, codec_options=STANDARD))
    writer.record(END, {"name": "cases", "documents": len(documents)})
    writer.close()


def documents(count: int = 200) -> list[dict]:
    return [
        {
            "_id": number,
            "uuid": uuid.UUID(int=number),
            "at": datetime.datetime(2026, 12, 1, 0, 0, number % 60, 123000, tzinfo=datetime.UTC),
            "sealed": Binary(bytes([number % 256]) * 300),
        }
        for number in range(count)
    ]


def test_records_round_trip_exactly_across_chunks(tmp_path, keys):
    private, public = keys
    write(tmp_path / "a.mbak", public, documents())
    records = list(read_records(tmp_path / "a.mbak", private, "triage/triage"))
    assert [kind for kind, _ in records] == [COLLECTION] + [DOCUMENT] * 200 + [END]
    assert [bytes(record.raw) for _, record in records[1:-1]] == [bson.encode(d, codec_options=STANDARD) for d in documents()]
    assert (tmp_path / "a.mbak").stat().st_size > 10 * 4096  # it did span many chunks


def test_the_plaintext_is_not_in_the_file(tmp_path, keys):
    write(tmp_path / "a.mbak", keys[1], [{"_id": 1, "text": "Vermieterin aus Rumänien"}])
    assert "Vermieterin".encode() not in (tmp_path / "a.mbak").read_bytes()


def cut_after_chunks(path: Path, chunks: int) -> None:
    """Keep the header and the first `chunks` chunks: a cut exactly at a chunk boundary."""
    data = path.read_bytes()
    offset = len(archive.MAGIC) + 80 + 24
    for _ in range(chunks):
        offset += 4 + int.from_bytes(data[offset : offset + 4], "big")
    path.write_bytes(data[:offset])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: cut_after_chunks(p, 3), "truncated (the final chunk is missing)"),
        (lambda p: p.write_bytes(p.read_bytes()[:-10]), "truncated (a chunk is cut off)"),
        (lambda p: p.write_bytes(p.read_bytes()[:50]), "truncated (no stream header)"),
        (lambda p: p.write_bytes(p.read_bytes() + b"\x00\x00\x00\x01x"), "data after the final chunk"),
        (lambda p: p.write_bytes(b"NOTABACK" + p.read_bytes()[8:]), "bad magic"),
        (lambda p: p.write_bytes(p.read_bytes()[:5000] + bytes([p.read_bytes()[5000] ^ 1]) + p.read_bytes()[5001:]), "fails authentication"),
    ],
    ids=["cut-at-chunk-boundary", "cut-mid-chunk", "cut-in-header", "trailing-data", "bad-magic", "flipped-byte"],
)
def test_damage_is_refused_with_a_clear_error(tmp_path, keys, damage, message):
    private, public = keys
    path = tmp_path / "a.mbak"
    write(path, public, documents())
    damage(path)
    with pytest.raises(BackupError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(read_records(path, private, "triage/triage"))


def test_the_wrong_key_and_another_databases_label_are_refused(tmp_path, keys):
    private, public = keys
    write(tmp_path / "a.mbak", public, documents(5))
    with pytest.raises(BackupError, match="does not open this archive"):
        list(read_records(tmp_path / "a.mbak", load_private_key(generate_key_pair()[0]), "triage/triage"))
    with pytest.raises(BackupError, match="fails authentication"):
        list(read_records(tmp_path / "a.mbak", private, "triage/triage_queue"))
