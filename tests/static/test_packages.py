"""Each service installs and imports with only its declared dependencies (no leaning on the workspace)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "triage", "notify")


def uv() -> str:
    """The uv binary: on PATH, or where deploy/bootstrap.sh installed it."""
    cache = Path(os.environ.get("MELDESTELLE_CACHE", Path.home() / ".cache" / "meldestelle"))
    found = shutil.which("uv") or str(cache / "tools" / "bin" / "uv")
    assert Path(found).exists(), "uv is missing: run deploy/bootstrap.sh"
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_service_runs_with_only_its_declared_dependencies(service, tmp_path):
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"), "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [uv(), "sync", "--frozen", "--no-dev", "--package", f"meldestelle-{service}", "--python", "python3.11", "--quiet"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    python = tmp_path / "venv" / "bin" / "python"
    probe = f"import {service}.app; print({service}.app.create_app.__doc__)"
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    others = [name for name in SERVICES if name != service] + ["devstack", "pytest"]
    leaked = subprocess.run(
        [str(python), "-c", f"import importlib.util as u; print([m for m in {others!r} if u.find_spec(m)])"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert leaked.stdout.strip() == "[]"
