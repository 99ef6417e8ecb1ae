"""The archive format: a sealed stream key, then secretstream chunks of framed BSON records.

File layout: `MBACKUP1\\n`, the 32-byte stream key sealed to the backup public key (80 bytes), the
secretstream header (24 bytes), then chunks, each a 4-byte big-endian length and a ciphertext of at
most 1 MiB of plaintext. The last chunk carries the FINAL tag, so a truncated file is detected; every
chunk is authenticated with the archive's label (source and database) as associated data, so an
archive cannot be passed off as another database's. Plaintext records are a kind byte and one BSON
document: `C` a collection with its indexes, `D` one of its documents (raw, as stored), `E` its end
with the count written.
"""

import hashlib
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import bson
from bson.raw_bson import RawBSONDocument
from nacl import bindings as sodium
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from meldestelle_shared.backup.errors import BackupError

MAGIC = b"MBACKUP1\n"
CHUNK_BYTES = 1 << 20
_SEALED_KEY_BYTES = sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES + 48  # sealed box overhead
_HEADER_BYTES = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL

COLLECTION, DOCUMENT, END = b"C", b"D", b"E"


class ArchiveWriter:
    """Writes records to an encrypted archive file, holding at most one chunk in memory."""

    def __init__(self, path: Path, public_key: PublicKey, label: str) -> None:
        self.path = path
        self._file: BinaryIO = path.open("xb")
        self._digest = hashlib.sha256()
        self._label = label.encode()
        self._buffer = bytearray()
        stream_key = sodium.crypto_secretstream_xchacha20poly1305_keygen()
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, stream_key)
        self._write(MAGIC + SealedBox(public_key).encrypt(stream_key) + header)

    def record(self, kind: bytes, document: bytes | memoryview | dict) -> None:
        """Append one record: a kind and a BSON document (raw bytes are written as they are)."""
        self._buffer += kind
        self._buffer += document if isinstance(document, bytes | memoryview) else bson.encode(document)
        while len(self._buffer) >= CHUNK_BYTES:
            self._push(bytes(self._buffer[:CHUNK_BYTES]), _TAG_MESSAGE)
            del self._buffer[:CHUNK_BYTES]

    def close(self) -> tuple[str, int]:
        """Write the final chunk; returns the file's SHA-256 (hex) and size."""
        self._push(bytes(self._buffer), _TAG_FINAL)
        self._buffer.clear()
        self._file.close()
        return self._digest.hexdigest(), self.path.stat().st_size

    def abort(self) -> None:
        """Close and remove a half-written archive."""
        self._file.close()
        self.path.unlink(missing_ok=True)

    def _push(self, plaintext: bytes, tag: int) -> None:
        chunk = sodium.crypto_secretstream_xchacha20poly1305_push(self._state, plaintext, self._label, tag)
        self._write(struct.pack(">I", len(chunk)) + chunk)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._digest.update(data)


def file_sha256(path: Path) -> str:
    """The SHA-256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _plaintext_chunks(path: Path, private_key: PrivateKey, label: str) -> Iterator[bytes]:
    """Decrypt an archive chunk by chunk; raises BackupError on any damage, truncation or wrong key."""
    with path.open("rb") as file:
        if file.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path.name}: not a Meldestelle backup archive (bad magic)")
        sealed_key, header = file.read(_SEALED_KEY_BYTES), file.read(_HEADER_BYTES)
        if len(header) != _HEADER_BYTES:
            raise BackupError(f"{path.name}: truncated (no stream header)")
        try:
            stream_key = SealedBox(private_key).decrypt(sealed_key)
        except CryptoError:
            raise BackupError(f"{path.name}: the backup private key does not open this archive (wrong key or damaged)") from None
        state = sodium.crypto_secretstream_xchacha20poly1305_state()
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, stream_key)
        while True:
            length = file.read(4)
            if len(length) != 4:
                raise BackupError(f"{path.name}: truncated (the final chunk is missing)")
            (size,) = struct.unpack(">I", length)
            if size > CHUNK_BYTES + _ABYTES:
                raise BackupError(f"{path.name}: damaged (chunk length {size} out of range)")
            chunk = file.read(size)
            if len(chunk) != size:
                raise BackupError(f"{path.name}: truncated (a chunk is cut off)")
            try:
                plaintext, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk, label.encode())
            except (CryptoError, RuntimeError, ValueError):
                raise BackupError(f"{path.name}: damaged (a chunk fails authentication)") from None
            yield plaintext
            if tag == _TAG_FINAL:
                if file.read(1):
                    raise BackupError(f"{path.name}: damaged (data after the final chunk)")
                return


def read_records(path: Path, private_key: PrivateKey, label: str) -> Iterator[tuple[bytes, RawBSONDocument]]:
    """The records of an archive as (kind, raw BSON document), decrypted and checked as they stream by."""
    buffer = bytearray()
    for plaintext in _plaintext_chunks(path, private_key, label):
        buffer += plaintext
        start = 0
        while len(buffer) - start >= 5:
            (size,) = struct.unpack_from("<i", buffer, start + 1)
            if size < 5:
                raise BackupError(f"{path.name}: damaged (bad record)")
            if len(buffer) - start - 1 < size:
                break
            kind = bytes(buffer[start : start + 1])
            if kind not in (COLLECTION, DOCUMENT, END):
                raise BackupError(f"{path.name}: damaged (unknown record kind)")
            yield kind, RawBSONDocument(bytes(buffer[start + 1 : start + 1 + size]))
            start += 1 + size
        del buffer[:start]
    if buffer:
        raise BackupError(f"{path.name}: damaged (a record is cut off at the end)")
