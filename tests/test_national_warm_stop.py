"""A worker's warm kernel is killed only while it is the worker's own running child."""

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress

import pytest

from forecast.national import warm
from forecast.reports import execute


class FakeWarm:
    def __init__(self, pid):
        self.pid = pid


@pytest.fixture
def no_orderly_stop(monkeypatch):
    """The orderly stop does nothing (as if it failed): only the kill can stop the kernel."""
    monkeypatch.setattr(execute, "_drop_warm_kernel", lambda: None)


def alive(pid):
    """Running (a killed process may linger as a zombie until its parent reaps it)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_a_kernel_that_did_not_stop_is_killed(monkeypatch, no_orderly_stop):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(execute, "_WARM", FakeWarm(child.pid))
    monkeypatch.setattr(warm, "STOP_WAIT", 0.1)
    warm.stop_kernel()
    assert child.wait(timeout=10) == -signal.SIGKILL


def test_a_kernel_already_stopped_and_reaped_is_left_alone(monkeypatch, no_orderly_stop):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    monkeypatch.setattr(execute, "_WARM", FakeWarm(child.pid))
    monkeypatch.setattr(warm, "STOP_WAIT", 0.1)
    warm.stop_kernel()  # nothing to kill, and no error


def test_a_process_that_is_not_this_workers_child_is_never_killed(monkeypatch, no_orderly_stop):
    # a process with the kernel's old number that belongs to someone else: the shell's
    # background child, left to init when the shell exits
    out = subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True,
                         check=True)
    stranger = int(out.stdout.strip())
    try:
        monkeypatch.setattr(execute, "_WARM", FakeWarm(stranger))
        monkeypatch.setattr(warm, "STOP_WAIT", 0.1)
        warm.stop_kernel()
        time.sleep(0.2)
        assert alive(stranger)
        assert not warm.running_child(stranger)
    finally:
        with suppress(ProcessLookupError):
            os.kill(stranger, signal.SIGTERM)
