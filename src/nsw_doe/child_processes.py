"""The one way the project starts a long-lived child process, so that none outlives what started it.

- A server (`nsw-doe app`'s Streamlit, `nsw-doe ui`'s `dagster dev`) runs in a session of its own through
  `run_server`: a Ctrl-C, SIGTERM or hang-up of `nsw-doe` reaches every process of the server, and what is left of
  it a few seconds later is killed.
- dbt runs as `nsw-doe-dbt` (`run_dbt`), which becomes dbt in the same process. dagster-dbt starts it itself, so
  this wrapper is the only place where it can be told to die with the build.
- On Linux, both die with their parent even when the parent is killed with SIGKILL (`die_with_parent`).
- dbt started by a build holds the build's children lock until it ends: the kernel releases it when dbt exits,
  however it exits, so the next build can wait until no child of a killed build still writes (`wait_for_children`).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

from nsw_doe.settings import installed_script

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# `dagster dev` took 4 to 8 s to stop its webserver, daemon and code server here (2 CPUs, under load).
GRACE_SECONDS = 10.0
# Where the dbt of a build finds the build's children lock (Warehouse.build_lock sets it for the build).
CHILDREN_LOCK_ENV = "NSW_DOE_BUILD_CHILDREN_LOCK"
PR_SET_PDEATHSIG = 1
# Loaded here, in the parent: a child between fork and exec should not load libraries. Other systems have no
# PDEATHSIG: there a server still stops with `nsw-doe`'s signals, but not when `nsw-doe` is killed with SIGKILL.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def die_with_parent(sig: int) -> None:
    """Have the kernel send `sig` to this process when its parent dies. Kept across exec(); run in the child.

    The kernel sends it when the *thread* that started the child ends, not the process: each caller starts its
    child from the thread that then waits for it (`nsw-doe app` and `ui` from the main thread; dagster-dbt starts
    dbt in the thread that runs the dbt step, which reads dbt's output until dbt ends, and `execute_in_process`,
    which `nsw-doe build` calls from its main thread, runs every step in the calling thread). A parent that dies
    before this call is missed: the dbt of a build then still holds the children lock, and the next build waits."""
    if _LIBC is not None and _LIBC.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def _signal_group(group: int, sig: int) -> None:
    with suppress(ProcessLookupError):  # the whole group has already ended
        os.killpg(group, sig)


def run_server(command: list[str], grace: float = GRACE_SECONDS, **popen) -> int:
    """Run a server until it ends and return its exit code (128 + the signal that ended it, as a shell does).

    It runs in a session of its own, so that the terminal's Ctrl-C, or a signal to `nsw-doe`, reaches all of its
    processes here and only here: a SIGINT, SIGTERM or SIGHUP is forwarded to its whole process group, which is
    killed if it has not ended `grace` seconds later. Whatever of the group outlives the server's main process is
    killed too. If `nsw-doe` is killed with SIGKILL, the server gets a SIGTERM (and stops its own children)."""
    server = subprocess.Popen(
        command, start_new_session=True, preexec_fn=lambda: die_with_parent(signal.SIGTERM), **popen
    )
    kill_after_grace = threading.Timer(grace, _signal_group, (server.pid, signal.SIGKILL))

    def forward(sig: int, _frame) -> None:
        _signal_group(server.pid, sig)
        if kill_after_grace.ident is None:  # the first stop signal starts the grace period
            kill_after_grace.start()

    previous = {sig: signal.signal(sig, forward) for sig in STOP_SIGNALS}
    try:
        server.wait()
    finally:
        kill_after_grace.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _signal_group(server.pid, signal.SIGKILL)
    return 128 - server.returncode if server.returncode < 0 else server.returncode


def wait_for_children(lock_path: Path, timeout: float) -> bool:
    """For a new build: whether, within `timeout` seconds, no child of an earlier build holds `lock_path` (the
    children lock, which each child of a build holds shared until it ends; see `run_dbt`)."""
    with open(lock_path, "w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True  # and released on return, for this build's children to take
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)


@contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """Set an environment variable (for this process and the children it starts) for the block, then restore it."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def run_dbt() -> NoReturn:
    """`nsw-doe-dbt`, the dbt executable the project runs: dbt itself, which dies with the process that started it
    (SIGKILL: a killed build's work is discarded anyway) and, started by a build, holds the build's children lock
    until it ends. The lock's file stays open through exec(), so dbt holds it, not this wrapper."""
    die_with_parent(signal.SIGKILL)
    if lock_path := os.environ.get(CHILDREN_LOCK_ENV):
        lock = os.open(lock_path, os.O_RDWR | os.O_CREAT)
        os.set_inheritable(lock, True)
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # a new build is waiting for the children of ours: ours has died
            sys.exit(f"nsw-doe-dbt: {lock_path} is taken by a newer build; not starting dbt.")
    dbt = installed_script("dbt")
    os.execv(dbt, [dbt, *sys.argv[1:]])
