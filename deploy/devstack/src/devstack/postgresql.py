"""The PostgreSQL cluster under FerretDB: one per `make up` (kept in var/) or per process (tests, benchmarks).

Each FerretDB server gets a PostgreSQL database of its own in the cluster (FerretDB's
`--postgresql-url` names it), so a stack that needs fresh data costs a `CREATE DATABASE`, not an initdb.
"""

import atexit
import hashlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from devstack.processes import ManagedProcess

# The superuser initdb creates; FerretDB connects as it over the socket.
SUPERUSER = "ferretdb"
# FerretDB's pool takes up to 50 connections per server (its default); a stack runs three servers,
# a test session six or more at once.
MAX_CONNECTIONS = 400
# Where root's kept cluster goes when the postgres user cannot reach the stack's folder.
ROOT_FALLBACK = Path("/var/lib/meldestelle")


def postgresql_bin() -> Path:
    """The folder of PostgreSQL's server programs: Debian keeps them off PATH, in /usr/lib/postgresql/<major>/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent  # the folder it links into has all the programs
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not installed:
        raise RuntimeError(
            "PostgreSQL not found: run deploy/bootstrap.sh (it installs Debian's postgresql), "
            "or set MELDESTELLE_DATABASE_BACKEND=sqlite"
        )
    return installed[-1].parent


def _as_root() -> bool:
    return os.geteuid() == 0


def _postgres_user() -> pwd.struct_passwd:
    return pwd.getpwnam("postgres")


def reachable_by_postgres(path: Path) -> bool:
    """Whether the postgres user may pass through every folder above path (root's case: PostgreSQL refuses to run as root)."""
    owner = _postgres_user()
    for folder in path.resolve().parents:
        mode = folder.stat()
        if mode.st_uid == owner.pw_uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid == owner.pw_gid:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True


def kept_cluster_folder(stack_root: Path) -> Path:
    """Where `make up` keeps its cluster: `<stack root>/postgresql`, or for root, if postgres cannot reach that, under /var/lib/meldestelle."""
    stack_root.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet; its mode decides
    folder = stack_root.resolve() / "postgresql"
    if not _as_root() or reachable_by_postgres(folder):
        return folder
    return ROOT_FALLBACK / f"postgresql-{hashlib.sha256(str(folder).encode()).hexdigest()[:12]}"


class PostgresCluster:
    """A PostgreSQL cluster in `folder` (data in `folder/data`), initdb'd at first start.

    It listens on no TCP port, only on a Unix socket in a short private folder under /tmp (a
    socket path may hold only 107 bytes), made anew at each start and removed at stop. PostgreSQL
    refuses to run as root, so as root the cluster runs as the `postgres` user Debian's package
    creates (via setpriv), which owns the data and socket folders; anyone else runs it as themselves.
    `scratch` clusters (tests, benchmarks) are removed, data and all, when the interpreter exits.
    """

    def __init__(self, folder: Path, *, scratch: bool = False) -> None:
        self.folder = folder.resolve()
        self.scratch = scratch
        self.socket_dir: Path | None = None
        self.process: ManagedProcess | None = None
        self._databases: set[str] = set()
        self._stop_at_exit = False

    @property
    def pgdata(self) -> Path:
        """The cluster's data folder."""
        return self.folder / "data"

    @property
    def log_path(self) -> Path:
        """The server's output."""
        return self.folder / "postgresql.log"

    def url(self, database: str) -> str:
        """The libpq connection string FerretDB uses for one database of this cluster."""
        return f"postgres://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if not _as_root():
            return argv
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", *argv]

    def _give_to_owner(self, *paths: Path) -> None:
        if _as_root():
            owner = _postgres_user()
            for path in paths:
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def start(self) -> None:
        """Create the cluster if it does not exist, then start the server unless it runs already."""
        if self.process and self.process.is_running:
            return
        binaries = postgresql_bin()
        self.folder.mkdir(parents=True, exist_ok=True)
        if _as_root() and not self.scratch:
            self.folder.chmod(0o711)  # the postgres user must pass through it to its data
        self.log_path.touch(mode=0o600)  # error lines may quote stored values
        self.socket_dir = Path(tempfile.mkdtemp(prefix="meldestelle-pg-"))  # 0700
        atexit.register(shutil.rmtree, self.socket_dir, ignore_errors=True)
        self._give_to_owner(self.socket_dir)
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(mode=0o700, exist_ok=True)
            self._give_to_owner(self.pgdata)
            # trust is safe here: no TCP listener, and only the socket folder's owner (and root) may enter it.
            initdb = [str(binaries / "initdb"), "-D", str(self.pgdata), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C"]
            result = subprocess.run(self._as_owner(initdb), stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"initdb failed:\n{result.stdout}{result.stderr}")
        postgres = [
            str(binaries / "postgres"), "-D", str(self.pgdata), "-k", str(self.socket_dir),
            "-c", "listen_addresses=", "-c", f"max_connections={MAX_CONNECTIONS}",
            # A failed statement's error, detail and SQL quote the values (a duplicate key's, e.g. a
            # client hash or report id): the log keeps start, stop and fatal lines only.
            "-c", "log_min_messages=log", "-c", "log_min_error_statement=panic", "-c", "log_error_verbosity=terse",
        ]  # fmt: skip
        self.process = ManagedProcess("postgres", self._as_owner(postgres), cwd=self.folder, log_path=self.log_path)
        self.process.start()
        if not self._stop_at_exit:
            # Registered after processes.py's kill of leftovers, so it runs first: a clean shutdown.
            atexit.register(self.stop)
            self._stop_at_exit = True

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until the server accepts connections on its socket."""
        pg_isready = [str(postgresql_bin() / "pg_isready"), "-q", "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", "postgres"]
        deadline = time.monotonic() + timeout
        while subprocess.run(pg_isready, stdin=subprocess.DEVNULL).returncode != 0:
            if self.process is None or not self.process.is_running:
                raise RuntimeError(f"postgres exited; see {self.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"postgres not ready within {timeout} s; see {self.log_path}")
            time.sleep(0.2)

    def ensure_database(self, name: str) -> None:
        """Create the database name unless it exists (FerretDB keeps each of its databases as a schema in it)."""
        if name in self._databases:
            return
        psql = [str(postgresql_bin() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", "postgres"]
        exists = subprocess.run(
            [*psql, "-tA", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run([*psql, "-c", f'CREATE DATABASE "{name}"'], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True)
        self._databases.add(name)

    def drop_database(self, name: str) -> None:
        """Drop the database name and everything in it, disconnecting its clients (a lost disk, for reliability tests)."""
        psql = [str(postgresql_bin() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", "postgres"]
        subprocess.run([*psql, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=True)
        self._databases.discard(name)

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down (fast: it disconnects its clients), killing it if that takes longer than timeout."""
        if self.process and self.process.is_running:
            self.process.stop(timeout, signum=signal.SIGINT)
        if self.socket_dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
        if self.scratch:
            shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process:
            self.process.kill()


_scratch: PostgresCluster | None = None


def scratch_cluster() -> PostgresCluster:
    """This process's throw-away cluster for FerretDB servers not given one (tests, benchmarks), removed at exit.

    It lives in a private folder under /tmp that, as root, the postgres user owns (a pytest temporary
    folder is root-only, so the postgres user could not reach one).
    """
    global _scratch
    if _scratch is None:
        folder = Path(tempfile.mkdtemp(prefix="meldestelle-pgdata-"))
        folder.chmod(0o700)
        _scratch = PostgresCluster(folder, scratch=True)
        _scratch._give_to_owner(folder)
    return _scratch
