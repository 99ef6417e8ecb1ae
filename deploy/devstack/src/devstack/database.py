"""A MongoDB-compatible server: mongod when installed, else FerretDB built from our Go module.

FerretDB keeps its data in PostgreSQL (Debian's `postgresql` package), one database of a shared
cluster per server; MELDESTELLE_DATABASE_BACKEND=sqlite keeps it in SQLite files instead (the
default until the measurement in docs/architecture.md, "The embedded database").
"""

import json
import os
import shutil
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path

from devstack.cache import CACHE, deploy_file, fingerprint, install_lock
from devstack.postgresql import PostgresCluster, scratch_cluster
from devstack.processes import ManagedProcess, wait_for_port

FERRETDB_VERSION = "v1.24.2"
BACKENDS = ("postgresql", "sqlite")
# The sqlite build leaves PostgreSQL out, which shortens it; the postgresql build has both backends.
GO_BUILD_TAGS = {"sqlite": "ferretdb_no_postgresql", "postgresql": ""}


def configured_backend(stack_root: Path | None = None) -> str:
    """The FerretDB backend: MELDESTELLE_DATABASE_BACKEND if set, else postgresql, unless stack_root holds only SQLite data.

    A `make up` folder (var/) from before the switch keeps running on SQLite, so its data is never
    left behind unseen; see legacy_sqlite_data.
    """
    backend = os.environ.get("MELDESTELLE_DATABASE_BACKEND") or None
    if backend is None:
        return "sqlite" if stack_root and legacy_sqlite_data(stack_root) else "postgresql"
    if backend not in BACKENDS:
        raise ValueError(f"MELDESTELLE_DATABASE_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return backend


def legacy_sqlite_data(stack_root: Path) -> list[Path]:
    """The SQLite database files of FerretDB servers under stack_root, if it has no PostgreSQL cluster yet."""
    if (stack_root / "postgresql").exists():
        return []
    return sorted((stack_root / "database").glob("*/db/*.sqlite"))


def ensure_ferretdb(backend: str = "postgresql") -> Path:
    """Return the path of the FerretDB binary for backend, building it from deploy/ferretdb when the inputs changed."""
    module = deploy_file("ferretdb")
    sources = [module / name for name in ("go.mod", "go.sum", "main.go")] + sorted((module / "patches").glob("*.patch"))
    tags = GO_BUILD_TAGS[backend]
    target = CACHE / "ferretdb" / f"{FERRETDB_VERSION}-{fingerprint(*sources, tags)}"
    binary = target / "ferretdb"
    if binary.exists():
        return binary
    with install_lock("ferretdb"):
        if binary.exists():
            return binary
        if shutil.which("go") is None:
            raise RuntimeError("go not found on PATH; it is needed once to build FerretDB")
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="build-", dir=target) as scratch:
            build_dir = _patched_module(module, Path(scratch))
            # Build to a temporary name and rename, so a half-written binary is never found.
            partial = Path(scratch) / "ferretdb"
            _go(["build", "-trimpath", "-tags", tags, "-o", str(partial), "."], cwd=build_dir)
            partial.rename(binary)
    return binary


def _patched_module(module: Path, scratch: Path) -> Path:
    """Copy our Go module into scratch with FerretDB replaced by a patched copy of its source; return its folder.

    The patches in deploy/ferretdb/patches fix FerretDB v1 bugs that cost us (each explains itself).
    """
    listing = _go(["mod", "download", "-json", f"github.com/FerretDB/FerretDB@{FERRETDB_VERSION}"], cwd=module)
    source = scratch / "ferretdb-src"
    shutil.copytree(json.loads(listing)["Dir"], source)
    for path in source.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)  # the module cache is read-only
    for patch in sorted((module / "patches").glob("*.patch")):
        subprocess.run(["git", "apply", "--unsafe-paths", str(patch)], cwd=source, check=True, capture_output=True)
    build_dir = scratch / "module"
    build_dir.mkdir()
    for name in ("go.mod", "go.sum", "main.go"):
        shutil.copy(module / name, build_dir / name)
    _go(["mod", "edit", f"-replace=github.com/FerretDB/FerretDB={source}"], cwd=build_dir)
    return build_dir


def _go(arguments: list[str], cwd: Path) -> str:
    """Run a go command without cgo and return its output, raising with the output when it fails."""
    result = subprocess.run(
        ["go", *arguments],
        cwd=cwd,
        env={**os.environ, "CGO_ENABLED": "0"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"go {arguments[0]} for FerretDB failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class MongoServer:
    """A local MongoDB wire-protocol server on 127.0.0.1, keeping its data and log in data_dir.

    With a username, FerretDB requires SCRAM-SHA-256 authentication for every command and creates
    that user at its first start. FerretDB v1 has no roles (any user may use any database), so the
    local stack runs one server per service, each knowing only its owner (docs/architecture.md).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        backend: str | None = None,
        cluster: PostgresCluster | None = None,
        postgresql_database: str | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        # FerretDB's backend; None: MELDESTELLE_DATABASE_BACKEND's, else postgresql.
        self.backend = backend or configured_backend()
        # The cluster (None: this process's scratch cluster) and the database in it that holds this server's data.
        on_postgresql = self.backend == "postgresql" and not shutil.which("mongod")
        self.postgresql = (cluster or scratch_cluster()) if on_postgresql else None
        self.postgresql_database = postgresql_database or f"ferretdb_{uuid.uuid4().hex[:12]}"
        # A mongod found on PATH runs without authentication (it would need its users created first);
        # the servers stay separate, so each service still knows only its own address.
        self.username = None if shutil.which("mongod") else username
        self.password = password
        self.process: ManagedProcess | None = None

    @property
    def uri(self) -> str:
        """Connection string for drivers, without credentials."""
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def authenticated_uri(self) -> str:
        """Connection string with the owner's credentials, for tests' and benchmarks' own clients."""
        if not self.username:
            return self.uri
        return f"mongodb://{self.username}:{self.password}@127.0.0.1:{self.port}/?authSource=admin&authMechanism=SCRAM-SHA-256"

    @property
    def log_path(self) -> Path:
        """The server's output."""
        return self.data_dir / "mongo.log"

    def _argv(self) -> list[str]:
        db_dir = self.data_dir / "db"
        db_dir.mkdir(parents=True, exist_ok=True)
        mongod = shutil.which("mongod")
        if mongod:
            # --quiet drops the connection accepted/ended lines, which carry client addresses.
            return [mongod, "--dbpath", str(db_dir), "--port", str(self.port), "--bind_ip", "127.0.0.1", "--quiet"]
        argv = [str(ensure_ferretdb(self.backend)), f"--listen-addr=127.0.0.1:{self.port}"]
        if self.postgresql:
            argv += ["--handler=postgresql", f"--postgresql-url={self.postgresql.url(self.postgresql_database)}"]
        else:
            argv.append(f"--data-dir={db_dir}")
        return argv + [f"--username={self.username}"] if self.username else argv

    def start(self) -> None:
        """Launch mongod if it is on PATH, else FerretDB (building it on first use)."""
        # The password travels in the environment: any local user can read a command line.
        env = {**os.environ, "FERRETDB_PASSWORD": self.password} if self.username else None
        if self.postgresql:
            self.postgresql.start()  # once per cluster; it outlives this server's restarts
            self.postgresql.wait_ready()
            self.postgresql.ensure_database(self.postgresql_database)
        self.process = ManagedProcess("mongo", self._argv(), env=env, cwd=self.data_dir, log_path=self.log_path)
        self.process.start()

    def wait_ready(self, timeout: float = 30) -> None:
        """Block until the server accepts connections."""
        wait_for_port("127.0.0.1", self.port, timeout, self.process)

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down cleanly, killing it if that takes longer than timeout; its PostgreSQL cluster runs on."""
        if self.process:
            self.process.stop(timeout)

    def lose_data(self) -> None:
        """Delete everything the stopped server stored, as a lost disk would: its SQLite files, or its PostgreSQL database."""
        if self.process and self.process.is_running:
            raise RuntimeError("stop the server before deleting its data")
        if self.postgresql:
            self.postgresql.drop_database(self.postgresql_database)
        shutil.rmtree(self.data_dir / "db", ignore_errors=True)

    def kill(self) -> None:
        """Kill the server at once, as a crash would; its PostgreSQL cluster runs on."""
        if self.process:
            self.process.kill()
