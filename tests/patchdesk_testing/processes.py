"""Run the real ``patchdesk`` command in subprocesses: one-shot and in the background."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

PATCHDESK = [sys.executable, "-m", "patchdesk"]


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """A clean environment for a ``patchdesk`` process: only the given PATCHDESK_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATCHDESK_")}
    env["PATCHDESK_DATA_DIR"] = str(data_dir)
    env["PATCHDESK_STARTER_SNAPSHOT"] = "false"  # 10 s each; tests that want it say so
    env["PYTHONUNBUFFERED"] = "1"
    env.update({f"PATCHDESK_{key.upper()}": value for key, value in settings.items()})
    return env


def run_cli(
    *args: str, env: Mapping[str, str], timeout_s: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PATCHDESK, *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BackgroundProcess:
    """A ``patchdesk`` subcommand running in the background, stopped with SIGTERM."""

    def __init__(self, *args: str, env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [*PATCHDESK, *args],
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout_s: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # children (embedded worker) too
        self._log.close()
        return self.process.returncode


@contextlib.contextmanager
def background(*args: str, env: Mapping[str, str], log_path: Path) -> Iterator[BackgroundProcess]:
    process = BackgroundProcess(*args, env=env, log_path=log_path)
    try:
        yield process
    finally:
        process.stop()


def wait_http(url: str, *, process: BackgroundProcess, timeout_s: float = 60) -> str:
    """Poll ``url`` until it answers 200; fail with the process output if it never does."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise AssertionError(f"process exited early:\n{process.output()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout_s} s:\n{process.output()}")
