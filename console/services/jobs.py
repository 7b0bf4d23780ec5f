"""Work the console runs in background threads (syncs, pushes): a process-wide registry that
keeps the last job of each key (a workspace, or a workspace and a connection), starts at most
one running job per key, and lets the pages read a job's fields while it runs. No streamlit."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Generic, Hashable, TypeVar

J = TypeVar("J")  # a job dataclass with `thread` and a `running` property


class JobRegistry(Generic[J]):
    wait_timeout = 60.0  # seconds `wait` gives the running jobs by default

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[Hashable, J] = {}
        self._seq = 0

    def _find(self, key: Hashable) -> J | None:
        with self._lock:
            return self._jobs.get(key)

    def _items(self) -> list[tuple[Any, J]]:
        with self._lock:
            return sorted(self._jobs.items())

    def _claim(self, key: Hashable, make: Callable[[int], J]) -> tuple[J, bool]:
        """The running job of `key` and False, or a new job (`make(sequence number)`) and True."""
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.running:  # type: ignore[attr-defined]
                return current, False
            self._seq += 1
            job = self._jobs[key] = make(self._seq)
            return job, True

    @staticmethod
    def _launch(job: J, work: Callable[[], None], name: str) -> J:
        job.thread = threading.Thread(target=work, name=name, daemon=True)  # type: ignore[attr-defined]
        job.thread.start()  # type: ignore[attr-defined]
        return job

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every running job (tests, shutdown)."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        with self._lock:
            threads = [j.thread for j in self._jobs.values() if j.thread is not None]  # type: ignore[attr-defined]
        for th in threads:
            th.join(max(0.0, deadline - time.monotonic()))
