"""How much memory one invocation used, for the REPORT line Lambda writes after each invocation.

In AWS each function has a sandbox of its own, and "Max Memory Used" is that sandbox's peak
resident set size (RSS); past `MemorySize` the runtime is killed. Locally every function and moto
share one process and threads share one address space, so no per-function figure exists. What is
measured, and why:

- Not tracemalloc: it sees only allocations made through Python's allocator (not the buffers of C
  extensions), it is process-wide too (concurrent invocations mix anyway), and it slows every
  allocation of the whole stack while it is on.
- The kernel's RSS high-water mark (VmHWM in /proc/self/status), reset through
  /proc/self/clear_refs when an invocation starts with no other in flight, so the peak read at the
  end covers this invocation (and whatever overlapped it). Two reads and one write of /proc an
  invocation: measured here, 0.16 ms on a quiet machine (1,000 writes took 43 ms, 1,000 reads
  59 ms) and 0.33 ms with the load average at 10; the worker thread of lambda_runtime.py costs
  about as much again.

The estimate is `at_load` (the process's RSS once the handlers were imported: the interpreter,
every function's modules and moto with its tables then — more than one function's cold footprint
in AWS) plus `growth` (how far the peak rose above the RSS at the invocation's start). It leans
high: overlapping invocations' allocations count as this one's, and a thread abandoned at its
timeout keeps allocating. It can lean low when an invocation reuses memory an earlier one freed
but the allocator kept. It does not drift with the data moto holds, which is already in the RSS
at the start. Without /proc (macOS), the peak is ru_maxrss, never reset: growth then shows only
when the process reaches a new high.
"""

from __future__ import annotations

import contextlib
import math
import resource
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
# Linux ≥ 4.0: "reset the peak resident set size ("high water mark") to the process's current value"
_RESET_PEAK_RSS = "5"

_lock = threading.Lock()
_in_flight = 0


@dataclass(frozen=True)
class MemoryUse:
    """One invocation's memory, in MB (MiB, as Lambda counts them)."""

    at_load_mb: int
    growth_mb: int

    @property
    def max_used_mb(self) -> int:
        return self.at_load_mb + self.growth_mb


def _status_kb(field: str) -> int | None:
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _max_rss_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def current_rss_kb() -> int:
    rss = _status_kb("VmRSS")
    return rss if rss is not None else _max_rss_kb()


def _peak_rss_kb() -> int:
    peak = _status_kb("VmHWM")
    return peak if peak is not None else _max_rss_kb()


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # not Linux, or not allowed: the peak is then the process's since it started
        _CLEAR_REFS.write_text(_RESET_PEAK_RSS)


def _mb(kb: int) -> int:
    return math.ceil(kb / 1024)


class PeakWatch:
    """Started as an invocation starts; `stop()` says how much memory it used."""

    def __init__(self, at_load_kb: int) -> None:
        global _in_flight
        self._at_load_kb = at_load_kb
        with _lock:
            if _in_flight == 0:
                _reset_peak()  # only then: resetting under a running invocation would lose its peak
            _in_flight += 1
        self._at_start_kb = current_rss_kb()
        self._stopped = False

    def stop(self) -> MemoryUse:
        global _in_flight
        peak_kb = _peak_rss_kb()
        if not self._stopped:
            self._stopped = True
            with _lock:
                _in_flight -= 1
        return MemoryUse(_mb(self._at_load_kb), _mb(max(0, peak_kb - self._at_start_kb)))
