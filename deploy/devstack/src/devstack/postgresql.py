"""A PostgreSQL cluster of its own for FerretDB's postgresql backend, reachable only through a private Unix socket."""

import atexit
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from devstack.processes import ManagedProcess

# The superuser initdb creates; FerretDB connects as it over the socket.
SUPERUSER = "ferretdb"


def postgresql_bin() -> Path:
    """The folder of PostgreSQL's server programs: Debian keeps them off PATH, in /usr/lib/postgresql/<major>/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent  # the folder it links into has all the programs
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not installed:
        raise RuntimeError("PostgreSQL not found: apt-get install postgresql (Debian's package)")
    return installed[-1].parent


class PostgresCluster:
    """initdb'd at first start; listens on no TCP port, only on a socket in its own 0700 folder.

    PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user that
    Debian's package creates, which cannot enter a root-only stack folder. So the cluster and its
    socket live in a private folder under /tmp (a socket path may hold only 107 bytes anyway),
    kept across restarts of this object and removed when the interpreter exits: this backend is
    for measurements, its data is not kept. Its log goes to data_dir.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.socket_dir: Path | None = None
        self.process: ManagedProcess | None = None

    @property
    def pgdata(self) -> Path:
        """The cluster's data folder."""
        return self.socket_dir / "data"

    @property
    def url(self) -> str:
        """The libpq connection string FerretDB uses."""
        return f"postgres://{SUPERUSER}@/postgres?host={self.socket_dir}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", *argv]

    def _give_to_owner(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in paths:
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def start(self) -> None:
        """Create the cluster if it does not exist, then start the server."""
        binaries = postgresql_bin()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.socket_dir is None:
            self.socket_dir = Path(tempfile.mkdtemp(prefix="meldestelle-pg-"))
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
        postgres = [str(binaries / "postgres"), "-D", str(self.pgdata), "-c", "listen_addresses=", "-k", str(self.socket_dir)]
        self.process = ManagedProcess("postgres", self._as_owner(postgres), cwd=self.data_dir, log_path=self.data_dir / "postgresql.log")
        self.process.start()

    def wait_ready(self, timeout: float = 30) -> None:
        """Block until the server accepts connections on its socket."""
        pg_isready = [str(postgresql_bin() / "pg_isready"), "-q", "-h", str(self.socket_dir), "-U", SUPERUSER, "-d", "postgres"]
        deadline = time.monotonic() + timeout
        while subprocess.run(pg_isready, stdin=subprocess.DEVNULL).returncode != 0:
            if self.process is None or not self.process.is_running:
                raise RuntimeError(f"postgres exited; see {self.data_dir / 'postgresql.log'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"postgres not ready within {timeout} s")
            time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down; SIGTERM waits for its clients to go, so stop FerretDB first."""
        if self.process:
            self.process.stop(timeout)

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process:
            self.process.kill()
