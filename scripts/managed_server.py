"""One server child process of LocalServices: own process group, log file, pid file, teardown.

Each server runs in a new session (its pid is its process-group id) with stdout and stderr
appended to ``<home>/<name>.log``. Its pid and executable are written to ``<home>/server.pid``
so that :func:`kill_leftovers` can kill a run whose Python process crashed.
"""

from __future__ import annotations

import ctypes
import glob
import os
import signal
import socket
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["ManagedServer", "ServiceError", "free_ports", "kill_leftovers",
           "remove_weed_sockets", "stop_all", "wait_until"]

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


class ServiceError(RuntimeError):
    """A local server could not be started, became unready, or is not running."""


class ManagedServer:
    """A server process started by :meth:`start` and killed whole by :meth:`stop`."""

    def __init__(self, name: str, argv: list[str], home: Path, die_with_parent: bool = True,
                 grace_s: float = 3.0):
        self.name = name
        self.grace_s = grace_s
        self.argv = argv
        self.home = Path(home)
        self.die_with_parent = die_with_parent
        self.log_path = self.home / f"{name}.log"
        self.pid_path = self.home / "server.pid"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} starting: {' '.join(self.argv)}\n".encode())
            log.flush()
            try:
                self.process = subprocess.Popen(
                    self.argv, cwd=self.home, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_die_with_parent if self.die_with_parent else None)
            except FileNotFoundError:
                raise ServiceError(f"{self.name}: executable {self.argv[0]!r} not found "
                                   "(run scripts/install.sh)") from None
        self.pid_path.write_text(f"{self.process.pid} {self.grace_s} {self.argv[0]}\n")

    def exit_code(self) -> int | None:
        """None while running, else the exit code (negative: killed by that signal)."""
        return None if self.process is None else self.process.poll()

    def stop(self, grace_s: float | None = None) -> None:
        """SIGTERM the process group, SIGKILL it after ``grace_s``, reap, drop the pid file."""
        if self.process is not None:
            grace_s = self.grace_s if grace_s is None else grace_s
            _kill_group(self.process.pid, grace_s, self.process)
            self.process.wait()
        self.pid_path.unlink(missing_ok=True)

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def wait_until(server: ManagedServer, what: str, timeout_s: float, check) -> None:
    """Poll ``check()`` until it returns true; fail fast if the server exits, else on timeout."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while True:
        code = server.exit_code()
        if code is not None:
            raise ServiceError(f"{server.name} exited with code {code} before {what}; "
                               f"log {server.log_path}, last lines:\n{server.log_tail()}")
        try:
            if check():
                return
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last_error = exc
        if time.monotonic() > deadline:
            raise ServiceError(f"{server.name} not ready after {timeout_s:.0f} s: waited until "
                               f"{what}; last error: {last_error!r}; log {server.log_path}, "
                               f"last lines:\n{server.log_tail()}")
        time.sleep(0.1)


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on 127.0.0.1, chosen by the kernel."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def stop_all(servers) -> None:
    """Stop several servers concurrently (their shutdowns take seconds each)."""
    with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:
        list(pool.map(lambda server: server.stop(), servers))


def kill_leftovers(workdir: Path) -> list[str]:
    """Kill servers recorded in ``workdir/*/server.pid`` (e.g. after a crash); their names."""
    pid_paths = sorted(Path(workdir).glob("*/server.pid"))
    with ThreadPoolExecutor(max_workers=max(1, len(pid_paths))) as pool:
        killed = list(pool.map(_kill_recorded, pid_paths))
    return [name for name in killed if name]


def _kill_recorded(pid_path: Path) -> str | None:
    try:
        pid_text, grace_text, executable = pid_path.read_text().strip().split(" ", 2)
        pid, grace_s = int(pid_text), float(grace_text)
    except (OSError, ValueError):
        pid, grace_s, executable = 0, 0.0, ""
    killed = pid > 0 and _is_group_leader_running(pid, executable)
    if killed:
        _kill_group(pid, grace_s, process=None)
    pid_path.unlink(missing_ok=True)
    return pid_path.parent.name if killed else None


def remove_weed_sockets(ports) -> None:
    """Delete the unix sockets SeaweedFS leaves in /tmp for its gRPC ports."""
    for port in ports:
        for path in glob.glob(f"/tmp/seaweedfs-*-{port}.sock"):
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    os.unlink(path)
            except OSError:
                pass


def _die_with_parent() -> None:
    """In the child before exec: the kernel SIGKILLs us when the spawning thread dies."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _is_group_leader_running(pid: int, executable: str) -> bool:
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        return argv0 == executable and os.getpgid(pid) == pid
    except (OSError, UnicodeDecodeError):
        return False


def _group_alive(pgid: int, process: subprocess.Popen | None) -> bool:
    """Whether any process of the group still runs (zombies do not count)."""
    if process is not None:
        process.poll()  # reap our own leader
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat_path.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # exited while we looked
        if int(group) == pgid and state not in ("Z", "X"):
            return True
    return False


def _kill_group(pgid: int, grace_s: float, process: subprocess.Popen | None) -> None:
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        if not _group_alive(pgid, process):
            return
        if wait_s > 0 or sig == signal.SIGKILL:
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and _group_alive(pgid, process):
            time.sleep(0.05)
    if _group_alive(pgid, process):
        raise ServiceError(f"process group {pgid} survived SIGKILL for 10 s")
