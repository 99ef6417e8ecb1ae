"""Headless Chromium for browser tests: Debian's build driven by Playwright (no browser download)."""

import shutil
from pathlib import Path

# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


def chromium_path() -> str:
    """Where Debian's Chromium is; fails clearly when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    raise RuntimeError("Chromium is missing: run `deploy/bootstrap.sh test` (installs Debian's chromium)")
