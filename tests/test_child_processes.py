"""Nothing `nsw-doe` starts outlives it: stopping a server command stops every process of its server, and the dbt of
a build killed with SIGKILL ends with it, before the next build may start."""

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from nsw_doe.child_processes import GRACE_SECONDS
from nsw_doe.warehouse import Warehouse, WarehouseError
from tests.servers import free_port, wait_until_answers

WAREHOUSE_ENV = "NSW_DOE_WAREHOUSE_DIR"


def live_processes(matches: Callable[[psutil.Process], bool]) -> list[psutil.Process]:
    """The running processes that match, zombies aside: this machine's init never reaps the orphans it inherits."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):  # ended meanwhile, or another user's
            if process.status() != psutil.STATUS_ZOMBIE and matches(process):
                found.append(process)
    return found


def started_by_test(warehouse_dir: Path) -> list[psutil.Process]:
    """Every running process a test's `nsw-doe` started, however deep: all inherit its warehouse directory."""
    return live_processes(lambda p: p.environ().get(WAREHOUSE_ENV) == str(warehouse_dir))


@pytest.fixture
def warehouse_dir(tmp_path):
    """The warehouse directory of the test's `nsw-doe`; whatever it started is killed after the test."""
    directory = tmp_path / "warehouse"
    yield directory
    for process in started_by_test(directory):
        process.kill()


def start_nsw_doe(warehouse_dir: Path, *args: str) -> subprocess.Popen:
    """`nsw-doe` in a session of its own (as from a terminal of its own), its output in a log beside the warehouse."""
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse_dir)}
    env.pop("NSW_DOE_ACARA_DIR", None)
    with open(warehouse_dir.with_name("nsw-doe.log"), "w") as log:
        command = [sys.executable, "-m", "nsw_doe.cli", *args]
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# The server commands: the path that answers once each is up, and how long it may take to.
SERVERS = {"app": ("/_stcore/health", 60), "ui": ("/server_info", 180)}


def serving(warehouse_dir: Path, command: str) -> tuple[subprocess.Popen, int]:
    """`nsw-doe app` or `nsw-doe ui` on a free port, once it answers there; and the port."""
    ready_path, timeout = SERVERS[command]
    port = free_port()
    nsw_doe = start_nsw_doe(warehouse_dir, command, "--port", str(port))
    wait_until_answers(nsw_doe, f"http://127.0.0.1:{port}{ready_path}", timeout)
    return nsw_doe, port


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("command", SERVERS)
def test_stopping_a_server_command_ends_every_process_of_its_server(warehouse_dir, command, stop):
    nsw_doe, port = serving(warehouse_dir, command)
    (server,) = psutil.Process(nsw_doe.pid).children()
    group = os.getpgid(server.pid)
    assert group == server.pid != os.getpgid(nsw_doe.pid), "the server runs in a process group of its own"

    nsw_doe.send_signal(stop)
    nsw_doe.wait(timeout=GRACE_SECONDS + 5)  # the server's grace, then the time to kill it
    # os.killpg(group, 0) would still find the zombies init leaves here: look for live members instead.
    assert live_processes(lambda p: os.getpgid(p.pid) == group) == [], "no process of the server's group is left"
    assert started_by_test(warehouse_dir) == [], "nor any other process it started"
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds: TIME_WAIT is no listener
        sock.bind(("127.0.0.1", port))


def test_the_server_ends_when_nsw_doe_is_killed(warehouse_dir):
    """Killed with SIGKILL, `nsw-doe app` cannot stop its server: the kernel tells the server to stop."""
    nsw_doe, _ = serving(warehouse_dir, "app")
    nsw_doe.kill()
    nsw_doe.wait()
    deadline = time.monotonic() + GRACE_SECONDS
    while started_by_test(warehouse_dir):
        assert time.monotonic() < deadline, f"the server outlived nsw-doe by {GRACE_SECONDS} s"
        time.sleep(0.1)


def dbt_build_of(build: subprocess.Popen, timeout: float) -> psutil.Process:
    """The `dbt build` the build runs, once it has started (as dbt, after nsw-doe-dbt's exec)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert build.poll() is None, "the build ended before dbt started"
        for child in psutil.Process(build.pid).children():
            with contextlib.suppress(psutil.Error):
                if Path(child.cmdline()[1]).name == "dbt" and "build" in child.cmdline():
                    return child
        time.sleep(0.2)
    raise AssertionError(f"dbt did not start within {timeout} s")


def test_the_dbt_of_a_killed_build_ends_with_it_before_the_next_build_starts(warehouse_dir):
    build = start_nsw_doe(warehouse_dir, "build")
    dbt = dbt_build_of(build, timeout=300)
    warehouse = Warehouse(warehouse_dir)
    with open(warehouse.build_children_lock) as lock, pytest.raises(BlockingIOError):
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # dbt holds the children lock

    build.kill()
    build.wait()
    with warehouse.build_lock(children_timeout=5):
        assert live_processes(lambda p: p.pid == dbt.pid) == [], "dbt ended before the next build got the lock"


def test_a_build_waits_for_the_children_of_an_earlier_build_and_says_so_if_one_does_not_end(tmp_path):
    warehouse = Warehouse(tmp_path)
    # A process holding the children lock shared, as the dbt of a killed build does until it ends.
    hold = "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_SH); print(); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", hold, warehouse.build_children_lock], stdout=subprocess.PIPE)
    child.stdout.readline()

    started = time.monotonic()
    with (
        pytest.raises(WarehouseError, match=r"started by an earlier build .* still running after 0\.5 s"),
        warehouse.build_lock(children_timeout=0.5),
    ):
        pytest.fail("a build started while a child of an earlier one was running")
    assert time.monotonic() - started >= 0.5

    threading.Timer(0.5, child.kill).start()
    started = time.monotonic()
    with warehouse.build_lock(children_timeout=10):
        assert time.monotonic() - started >= 0.5, "the lock was given only once the child had ended"
    assert child.wait(timeout=5) == -signal.SIGKILL
    child.stdout.close()
