"""Child processes with their own process group and log file, and port helpers."""

import atexit
import os
import random
import signal
import socket
import subprocess
import time
import weakref
from pathlib import Path

# Processes still running when the interpreter exits normally are killed, so
# an aborted test session does not leave brokers holding ports and memory.
_live: "weakref.WeakSet[ManagedProcess]" = weakref.WeakSet()


class ManagedProcess:
    """A named child process whose whole process group is started, stopped and killed together."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        log_path: Path,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """Process id of the running (or last started) process."""
        return self._popen.pid if self._popen else None

    @property
    def is_running(self) -> bool:
        """Whether the process has been started and not yet exited."""
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit code once the process has exited, else None."""
        return self._popen.poll() if self._popen else None

    def start(self) -> None:
        """Start the process in a new session, appending stdout and stderr to the log file."""
        if self.is_running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _live.add(self)

    def terminate(self) -> None:
        """Send SIGTERM to the process group without waiting for it to exit."""
        if self.is_running:
            self._signal_group(signal.SIGTERM)

    def stop(self, timeout: float = 10.0, signum: signal.Signals = signal.SIGTERM) -> None:
        """Send signum (SIGTERM) to the process group, then SIGKILL if it has not exited within timeout."""
        if not self.is_running:
            self._reap()
            return
        self._signal_group(signum)
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Send SIGKILL to the process group at once, as a crash would."""
        if self._popen is None:
            return
        if self._popen.poll() is None:
            self._signal_group(signal.SIGKILL)
        self._reap()

    def restart(self) -> None:
        """Stop the process if it runs, then start it again."""
        self.stop()
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines of the log file, or a note that it is empty."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        tail = text.splitlines()[-lines:]
        return "\n".join(tail) if tail else "(log is empty)"

    def _signal_group(self, signum: signal.Signals) -> None:
        try:
            os.killpg(self._popen.pid, signum)
        except ProcessLookupError:
            pass

    def _reap(self) -> None:
        if self._popen is not None:
            self._popen.wait()
            _live.discard(self)


@atexit.register
def _kill_leftovers() -> None:
    for process in list(_live):
        process.kill()


def wait_for_port(host: str, port: int, timeout: float, process: ManagedProcess | None = None) -> None:
    """Poll until a TCP connect to host:port succeeds; raise RuntimeError with the log tail otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and not process.is_running:
            raise RuntimeError(
                f"{process.name} exited with code {process.returncode} before {host}:{port} opened; "
                f"last lines of {process.log_path}:\n{process.log_tail()}"
            )
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            pass
        if time.monotonic() >= deadline:
            detail = f"; last lines of {process.log_path}:\n{process.log_tail()}" if process else ""
            raise RuntimeError(f"{host}:{port} did not open within {timeout:.0f}s{detail}")
        time.sleep(0.1)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range.

    A port the kernel hands out for `bind(0)` is an ephemeral one, which any outgoing connection
    (a Kafka or database client) may take before the service binds it; below that range only
    listeners take ports, so a stack's dozen ports do not race the clients' connections.
    """
    low = _ephemeral_low()
    for _ in range(200):
        port = random.randrange(10_000, low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between 10000 and {low}")


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768
