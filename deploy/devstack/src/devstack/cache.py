"""Where downloads and builds live, and how installs avoid repeating or racing each other."""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CACHE = Path(os.environ.get("MELDESTELLE_CACHE", "~/.cache/meldestelle")).expanduser()

# The Maven POM and Go module live beside this package in the repository; the
# package is installed editable (uv workspace), so they are found from here.
DEPLOY_DIR = Path(__file__).resolve().parents[3]


def fingerprint(*inputs: Path | str) -> str:
    """Return a short hash of files' contents and strings, so a changed input gets a new install."""
    digest = hashlib.sha256()
    for item in inputs:
        data = item.read_bytes() if isinstance(item, Path) else item.encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:16]


@contextmanager
def install_lock(name: str) -> Iterator[None]:
    """Hold an exclusive lock on CACHE/<name>.lock so concurrent installs run one at a time."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def deploy_file(*parts: str) -> Path:
    """Return a file under deploy/, failing clearly when the package is not run from a checkout."""
    path = DEPLOY_DIR.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: devstack must be installed editable from the repository checkout")
    return path
