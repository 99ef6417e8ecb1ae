"""ManagedProcess and port helpers against small Python child processes."""

import os
import signal
import sys
import time

import pytest

from devstack.processes import ManagedProcess, free_port, wait_for_port

SERVE = (
    "import socket, sys, time; s = socket.create_server(('127.0.0.1', int(sys.argv[1])));"
    " print('up', flush=True); time.sleep(60)"
)
IGNORE_TERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('stubborn', flush=True); time.sleep(60)"
)
SLEEP = "import time; time.sleep(60)"


def test_start_wait_stop_restart(tmp_path):
    port = free_port()
    process = ManagedProcess("server", [sys.executable, "-c", SERVE, str(port)], log_path=tmp_path / "server.log")
    process.start()
    wait_for_port("127.0.0.1", port, timeout=10, process=process)
    assert process.is_running
    assert os.getpgid(process.pid) == process.pid
    first_pid = process.pid
    process.restart()
    wait_for_port("127.0.0.1", port, timeout=10, process=process)
    assert process.pid != first_pid
    process.stop()
    process.stop()
    assert not process.is_running
    assert (tmp_path / "server.log").read_text().count("up") == 2


def test_stop_escalates_to_sigkill(tmp_path):
    process = ManagedProcess("stubborn", [sys.executable, "-c", IGNORE_TERM], log_path=tmp_path / "stubborn.log")
    process.start()
    wait_for_log(process, "stubborn")
    process.stop(timeout=0.5)
    assert process.returncode == -signal.SIGKILL


def test_kill_is_immediate(tmp_path):
    process = ManagedProcess("sleeper", [sys.executable, "-c", SLEEP], log_path=tmp_path / "sleeper.log")
    process.start()
    process.kill()
    assert process.returncode == -signal.SIGKILL
    process.kill()


def test_wait_for_port_reports_a_dead_process(tmp_path):
    process = ManagedProcess(
        "crasher", [sys.executable, "-c", "raise SystemExit('bad config')"], log_path=tmp_path / "crasher.log"
    )
    process.start()
    with pytest.raises(RuntimeError, match="crasher exited with code 1(.|\n)*bad config"):
        wait_for_port("127.0.0.1", free_port(), timeout=10, process=process)


def test_wait_for_port_times_out():
    with pytest.raises(RuntimeError, match="did not open within"):
        wait_for_port("127.0.0.1", free_port(), timeout=0.3)


def wait_for_log(process: ManagedProcess, text: str) -> None:
    for _ in range(100):
        if text in process.log_tail():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {process.log_path}")
