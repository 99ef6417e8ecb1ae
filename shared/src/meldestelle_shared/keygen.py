"""Generate a deployment's secrets once, as files only the owner can read.

`python -m meldestelle_shared.keygen DIR` writes the office key pair, notify's key pair, the key
that seals staff TOTP secrets, the receipt pepper and each service's Kafka and database password
unless they exist: intake's into DIR/intake, triage's into DIR/triage, notify's into DIR/notify, so
the public-facing intake never holds a private key or another service's password. The servers get
what they need in folders of their own: DIR/kafka (the super user's `kafka_password` and
`<service>_password` of each SCRAM user) and DIR/mongodb (`root_password` and `<service>_password`
of each database user). The local stack and docker-compose both use it.
"""

import secrets
import sys
from pathlib import Path

from meldestelle_shared.sealing import generate_key_pair


SERVICES = ("intake", "triage", "notify")


def ensure_secrets(folder: Path) -> Path:
    """Create each service's and server's secrets in `folder/<part>` unless they exist; returns `folder`."""
    intake, triage, notify = folder / "intake", folder / "triage", folder / "notify"
    kafka, mongodb = folder / "kafka", folder / "mongodb"
    for part in (folder, intake, triage, notify, kafka, mongodb):
        part.mkdir(parents=True, exist_ok=True)
        part.chmod(0o700)
    _ensure_password(kafka / "kafka_password")
    _ensure_password(mongodb / "root_password")
    for service in SERVICES:
        _ensure_password(folder / service / "kafka_password", copy=kafka / f"{service}_password")
        _ensure_password(folder / service / "mongodb_password", copy=mongodb / f"{service}_password")
    if not (triage / "triage_office_private_key").exists():
        private, public = generate_key_pair()
        _write(intake / "intake_office_public_key", public)
        _write(triage / "triage_office_private_key", private)
    # notify gets a key pair of its own: it opens the reporter's e-mail address, never the report.
    if not (notify / "notify_private_key").exists():
        private, public = generate_key_pair()
        _write(intake / "intake_notify_public_key", public)
        _write(notify / "notify_private_key", private)
    # Staff TOTP secrets get a key of their own: whoever holds the office key cannot log in as staff.
    if not (triage / "triage_totp_private_key").exists():
        _write(triage / "triage_totp_private_key", generate_key_pair()[0])
    if not (intake / "intake_receipt_pepper").exists():
        _write(intake / "intake_receipt_pepper", secrets.token_urlsafe(32))
    return folder


def _ensure_password(path: Path, *, copy: Path | None = None) -> None:
    """A random password in `path` unless one is there, and the same in `copy` for the server that checks it."""
    if not path.exists():
        _write(path, secrets.token_urlsafe(24))
    if copy is not None and (not copy.exists() or copy.read_text() != path.read_text()):
        _write(copy, path.read_text())


def _write(path: Path, value: str) -> None:
    path.touch(mode=0o600)
    path.write_text(value)


if __name__ == "__main__":
    print(f"secrets ready in {ensure_secrets(Path(sys.argv[1]))}")
