"""Generate a deployment's secrets once, as files only the owner can read.

`python -m meldestelle_shared.keygen DIR` writes the office key pair, the receipt pepper and the
staff API token unless they exist: intake's into DIR/intake, triage's into DIR/triage, notify's
into DIR/notify, so the public-facing intake never holds a private key. The local stack and
docker-compose both use it.
"""

import secrets
import sys
from pathlib import Path

from meldestelle_shared.sealing import generate_key_pair


def ensure_secrets(folder: Path) -> Path:
    """Create each service's secrets in `folder/<service>` unless they exist; returns `folder`."""
    intake, triage, notify = folder / "intake", folder / "triage", folder / "notify"
    for part in (folder, intake, triage, notify):
        part.mkdir(parents=True, exist_ok=True)
        part.chmod(0o700)
    if not (triage / "triage_office_private_key").exists():
        private, public = generate_key_pair()
        _write(intake / "intake_office_public_key", public)
        _write(triage / "triage_office_private_key", private)
    # notify gets a key pair of its own: it opens the reporter's e-mail address, never the report.
    if not (notify / "notify_private_key").exists():
        private, public = generate_key_pair()
        _write(intake / "intake_notify_public_key", public)
        _write(notify / "notify_private_key", private)
    if not (intake / "intake_receipt_pepper").exists():
        _write(intake / "intake_receipt_pepper", secrets.token_urlsafe(32))
    if not (triage / "triage_api_token").exists():
        _write(triage / "triage_api_token", secrets.token_urlsafe(32))
    return folder


def _write(path: Path, value: str) -> None:
    path.touch(mode=0o600)
    path.write_text(value)


if __name__ == "__main__":
    print(f"secrets ready in {ensure_secrets(Path(sys.argv[1]))}")
