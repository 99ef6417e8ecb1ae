"""The tools that check the Helm chart offline: helm, and our validator of rendered objects (deploy/helm/validate).

Both are built from the Go module proxy into the cache, once per version and input, the way FerretDB is;
Go's build cache for them lives in CACHE/go-build, so a rebuild after a version change reuses what it can.
`python -m devstack.kubetools` builds both and prints where they are and how long each took.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from devstack.cache import CACHE, deploy_file, fingerprint, install_lock

HELM_VERSION = "v3.22.0"
# helm's own release build sets these (its Makefile): the Kubernetes version `helm template` and `helm lint`
# assume offline is the one its client libraries (k8s.io/client-go v0.37) speak.
HELM_KUBERNETES_VERSION = ("1", "37")
GO_BUILD_CACHE = CACHE / "go-build"


def ensure_helm() -> Path:
    """Return the path of the helm binary, building it from the Go module proxy when missing."""
    major, minor = HELM_KUBERNETES_VERSION
    linker = [
        "-s",
        "-w",
        f"-X helm.sh/helm/v3/internal/version.version={HELM_VERSION}",
        *(f"-X helm.sh/helm/v3/pkg/{package}.k8sVersionMajor={major}" for package in ("lint/rules", "chartutil")),
        *(f"-X helm.sh/helm/v3/pkg/{package}.k8sVersionMinor={minor}" for package in ("lint/rules", "chartutil")),
    ]
    target = CACHE / "helm" / f"{HELM_VERSION}-{fingerprint(*linker)}"
    return _ensure(
        "helm",
        target,
        lambda scratch: _go(["install", "-trimpath", f"-ldflags={' '.join(linker)}", f"helm.sh/helm/v3/cmd/helm@{HELM_VERSION}"], scratch, scratch),
    )


def ensure_validator() -> Path:
    """Return the path of deploy/helm/validate's binary, building it when its sources changed."""
    module = deploy_file("helm", "validate")
    sources = [module / name for name in ("go.mod", "go.sum", "main.go")]
    target = CACHE / "helm-validate" / fingerprint(*sources)
    return _ensure("validate", target, lambda scratch: _go(["build", "-trimpath", "-o", str(scratch / "validate"), "."], module, scratch))


def _ensure(name: str, target: Path, build) -> Path:
    """The binary `target/name`, built by `build(scratch)` into a scratch folder under a lock and renamed into place."""
    binary = target / name
    if binary.exists():
        return binary
    with install_lock(f"kubetools-{name}"):
        if binary.exists():
            return binary
        if shutil.which("go") is None:
            raise RuntimeError(f"go not found on PATH; it is needed once to build {name}")
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="build-", dir=target) as scratch:
            build(Path(scratch))
            # Built under a temporary name and renamed, so a half-written binary is never found.
            (Path(scratch) / name).rename(binary)
    return binary


def _go(arguments: list[str], cwd: Path, bin_dir: Path) -> None:
    """Run a go command without cgo, its build cache inside ours, raising with its output when it fails."""
    environment = {**os.environ, "CGO_ENABLED": "0", "GOCACHE": str(GO_BUILD_CACHE), "GOBIN": str(bin_dir)}
    result = subprocess.run(["go", *arguments], cwd=cwd, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"go {' '.join(arguments[:1])} failed:\n{result.stdout}{result.stderr}")


if __name__ == "__main__":
    for tool, ensure in (("helm", ensure_helm), ("validate", ensure_validator)):
        started = time.monotonic()
        path = ensure()
        print(f"{tool}: {path} ({time.monotonic() - started:.1f}s)", flush=True)
