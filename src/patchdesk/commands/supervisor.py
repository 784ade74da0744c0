"""Keep one embedded worker process running beside ``patchdesk serve``."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading

logger = logging.getLogger(__name__)

_MAX_BACKOFF_S = 60.0
_STOP_TIMEOUT_S = 20.0


class WorkerSupervisor:
    """Run ``patchdesk worker`` as a child process and restart it if it dies."""

    def __init__(self, *, with_scheduler: bool) -> None:
        self._command = [sys.executable, "-m", "patchdesk", "worker"]
        if with_scheduler:
            self._command.append("--with-scheduler")
        self._stop = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        backoff_s = 1.0
        while not self._stop.is_set():
            with self._lock:
                if self._stop.is_set():
                    return
                self._process = subprocess.Popen(self._command)  # noqa: S603 - our own command
            code = self._process.wait()
            if self._stop.is_set():
                return
            logger.error(
                "embedded worker exited with status %s; restarting in %.0f s", code, backoff_s
            )
            self._stop.wait(backoff_s)
            backoff_s = min(backoff_s * 2, _MAX_BACKOFF_S)

    def stop(self) -> None:
        """Ask the worker to finish its current job and exit; kill it if it does not."""
        self._stop.set()
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
