"""A newsroom's bad day on the local stack: BENCH_BURST_SUBMISSIONS (10,000) submissions from 8
clients (each from a reader of its own), as fast as the stack answers, then the wait until every
acknowledgement is sent.

The stack runs as `make run` runs it, with the suites' parameters (tests/support/stack_process.py):
rate limits off and duplicate linking off (DuplicateWindowHours=0), since every submission is the
same sample text from 127.0.0.1. Reported: every acknowledgement in the outbox exactly once; the stack's
memory at the end and at its peak (the process's RSS, /proc); the pace of the first and of the last
thousand submissions; the time Ctrl-C takes. Beside them, the floor: the same AWS calls
(TransactWriteItems + SendMessage) made straight against the same moto server by the same clients,
before the burst (empty tables) and after it (full tables), so moto's own pace at each size is known.

Two parts of the local stack read every request on a timer, so their share grows with the burst:
the snapshot every 30 s (infra/local/persistence.py, which reads moto's backends in-process) and the
deadline sweep (at the template's rate, 15 minutes, as in AWS, unless LOCAL_SCHEDULE_SECONDS says
otherwise). `LOCAL_STATE=off` and `LOCAL_SCHEDULE_SECONDS=30` measure the burst without the one or
with the sweep ticking 30 times faster.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import Row, ratio

CLIENTS = 8
SUBMISSIONS = int(os.environ.get("BENCH_BURST_SUBMISSIONS", "10000"))
WINDOW = max(1, min(1000, SUBMISSIONS // 2))  # "the first and the last thousand"
FLOOR_CALLS = max(CLIENTS, min(1000, SUBMISSIONS // 10))
MEMORY_LIMIT_BYTES = 1 << 30
STOP_TIMEOUT_SECONDS = 120
QUIET_SECONDS = 3.0  # no email sent for this long: the pollers are done, or stuck
REFERENCE = re.compile(r"\bCR-\d{4}-[0-9A-Z]{6}\b")
TIMED_OUT = re.compile(r"(\w+): RequestId: \S+ Task timed out after")
LEFT_FOR_LATER = re.compile(r'"error_type":\s*"(OutOfTime|LeftForLater)"')  # handlers/partial_batch.py
UNANSWERED_SEND = "SES did not answer a send"  # adapters/mailer.py: a send that may have gone
NOT_MADE = re.compile(r"moto_endpoint: (.*?) ?: its caller gave up while it waited for moto")  # which request
OUTBOX_ID = re.compile(r'"outbox_id":\s*"([^"]+)"')  # on each "email sent" line (handlers/outbox_delivery.py)
HELD = re.compile(r"local state saved to \S+ in \d+ ms, moto held for (\d+) ms")  # logged past 1 s
SAMPLE = json.loads(
    (Path(__file__).resolve().parent.parent / "schemas" / "samples" / "valid" / "correction-zh.json").read_text("utf-8")
)


def _messages_behind(log: list[str], references: set[str]) -> str:
    """For each reference acknowledged twice, how many outbox messages its "email sent" lines name:
    1 is one message sent twice (a retry after a send that went), 2 two messages for one promise."""
    ids: dict[str, set[str]] = {reference: set() for reference in references}
    for line in log:
        found = OUTBOX_ID.search(line) if "email sent" in line else None
        if found is None:
            continue
        for reference in REFERENCE.findall(line):
            if reference in ids:
                ids[reference].add(found.group(1))
    return ", ".join(f"{reference}: {len(found)}" for reference, found in sorted(ids.items()))


def _submission(number: int) -> bytes:
    # One reader each, as on a bad day: the service caps automatic mail to any one address per day.
    return json.dumps({**SAMPLE, "requester_email": f"reader-{number}@example.com"}, ensure_ascii=False).encode()


def _run_clients(total: int, call: Callable[[], None]) -> tuple[list[float], Counter[str]]:
    """CLIENTS threads making `total` calls between them; the time each success ended, and failures by kind."""
    finished: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    remaining = iter(range(total))

    def client() -> None:
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            try:
                call()
            except Exception as exc:  # every failure is counted, by kind
                with lock:
                    errors[f"{type(exc).__name__}:{getattr(exc, 'code', '')}"] += 1
                continue
            ended = time.monotonic()
            with lock:
                finished.append(ended)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(finished), errors


def _paces(started: float, finished: list[float]) -> list[float]:
    """Submissions a second over each successive WINDOW of them: a step at the start (the consumers
    ramping up) reads differently from a steady decline (a cost growing with the data)."""
    ends = [started, *finished[WINDOW - 1 :: WINDOW]]
    return [WINDOW / (end - begin) for begin, end in itertools.pairwise(ends) if end > begin]


def _pace(started: float, finished: list[float], first: bool) -> float:
    """Submissions a second over the first (or the last) WINDOW of them."""
    if len(finished) < WINDOW:
        return 0.0
    if first:
        return WINDOW / (finished[WINDOW - 1] - started)
    begin = finished[-WINDOW - 1] if len(finished) > WINDOW else started
    return WINDOW / (finished[-1] - begin)


def _rss(pid: int) -> int:
    """A process's resident set size (VmRSS), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "VmRSS":
            return int(value.split()[0]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class PeakRss(threading.Thread):
    """The highest RSS a process reached, sampled every half second. Not the kernel's VmHWM: the
    local stack resets that at each invocation to measure its memory (infra/local/memory.py)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self._done = threading.Event()
        self.peak = _rss(pid)

    def run(self) -> None:
        while not self._done.wait(0.5):
            try:
                self.peak = max(self.peak, _rss(self._pid))
            except (OSError, RuntimeError):  # the process has ended
                return

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def _acknowledged(outbox: list[dict[str, Any]]) -> Counter[str]:
    """How many emails name each reference in their subject."""
    return Counter(match.group(0) for message in outbox for match in [REFERENCE.search(message["subject"])] if match)


class OutboxReader:
    """Reads the outbox on from the last email it saw (`?after=`), so each email is decoded once while
    the stack sends, instead of all of them at the end (10,000 took the stack over 10 minutes)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.last = -1
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0

    def read_on(self) -> None:
        started = time.monotonic()
        with urllib.request.urlopen(f"{self.base_url}/_local/outbox?after={self.last}", timeout=600) as response:
            newer = list(json.loads(response.read()))
        self.seconds += time.monotonic() - started
        self.counts.update(_acknowledged(newer))
        if newer:
            self.last = int(newer[-1]["position"])


def _mb(size: int) -> str:
    return f"{size / 1e6:,.0f} MB"


def run() -> list[Row]:
    import boto3

    from tests.support.stack_process import start_stack, stop_stack

    stack = start_stack()
    peak_rss = PeakRss(stack.process.pid)
    peak_rss.start()
    try:
        session = boto3.session.Session(
            aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1"
        )
        dynamodb = session.client("dynamodb", endpoint_url=stack.aws_url)
        sqs = session.client("sqs", endpoint_url=stack.aws_url)
        ses = session.client("ses", endpoint_url=stack.aws_url)
        table = next(t for t in dynamodb.list_tables()["TableNames"] if "RequestsTable" in t)

        def floor_rate(phase: str) -> float:
            queue = sqs.create_queue(QueueName=f"bench-burst-floor-{phase}")["QueueUrl"]

            def call() -> None:
                key = uuid.uuid4().hex[:12]
                item = {"pk": {"S": f"BENCH#{key}"}, "sk": {"S": "REQUEST"}, "body": {"S": json.dumps(SAMPLE)}}
                event = {"pk": {"S": f"BENCH#{key}"}, "sk": {"S": "EVENT#x"}}
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": table, "Item": item}},
                        {"Put": {"TableName": table, "Item": event}},
                    ]
                )
                sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"reference": key}))

            started = time.monotonic()
            finished, errors = _run_clients(FLOOR_CALLS, call)
            sqs.delete_queue(QueueUrl=queue)
            if errors:
                raise RuntimeError(f"floor calls failed: {dict(errors)}")
            return len(finished) / (finished[-1] - started)

        references: list[str] = []
        numbers = itertools.count()

        def submit() -> None:
            request = urllib.request.Request(
                stack.base_url + "/requests",
                data=_submission(next(numbers)),
                headers={"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                if response.status != 202:
                    raise RuntimeError(f"status {response.status}")
                references.append(json.loads(response.read())["reference"])  # list.append is atomic

        floor_before = floor_rate("before")
        started = time.monotonic()
        finished, errors = _run_clients(SUBMISSIONS, submit)
        submitted = time.monotonic()
        memory_after_burst = _rss(stack.process.pid)

        # moto's SES send count (GetSendQuota, one per recipient) tells when sending has stopped without
        # reading every message; the outbox is read (it is big) only then, to check each reference.
        drain_deadline = submitted + max(300.0, SUBMISSIONS * 0.2)
        sent, last_sent_at = 0.0, submitted
        outbox = OutboxReader(stack.base_url)
        memory_drained = 0
        next_read = 0.0
        while time.monotonic() < drain_deadline:
            now_sent = ses.get_send_quota()["SentLast24Hours"]
            if now_sent != sent:
                sent, last_sent_at = now_sent, time.monotonic()
            elif sent >= len(references) and time.monotonic() - last_sent_at > QUIET_SECONDS:
                memory_drained = memory_drained or _rss(stack.process.pid)
                outbox.read_on()
                if set(references) <= set(outbox.counts):
                    break
            if time.monotonic() >= next_read:  # every few seconds while sending: a few hundred at a time
                outbox.read_on()
                next_read = time.monotonic() + 5.0
            time.sleep(0.5)
        outbox.read_on()  # the deadline came first: count what did arrive
        counts, outbox_seconds = outbox.counts, outbox.seconds
        acknowledged_after = last_sent_at - submitted if set(references) <= set(counts) else None
        still_waiting = len(set(references) - set(counts))
        memory = _rss(stack.process.pid)
        memory_drained = memory_drained or memory
        peak = peak_rss.stop()
        floor_after = floor_rate("after")

        interrupted = time.monotonic()
        stack.process.send_signal(signal.SIGINT)
        stack.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        stop_seconds = time.monotonic() - interrupted
    finally:
        stop_stack(stack)

    # A 503 from the gateway is Lambda's Timeout, emulated (infra/local/lambda_runtime.py): the log
    # names the function whose handler ran past its Timeout.
    timeouts = Counter(match.group(1) for line in stack.log for match in [TIMED_OUT.search(line)] if match)
    held_long = [int(match.group(1)) for line in stack.log for match in [HELD.search(line)] if match]
    unanswered = sum(1 for line in stack.log if UNANSWERED_SEND in line)
    not_made = Counter(match.group(1) for line in stack.log for match in [NOT_MADE.search(line)] if match)
    left_for_later = Counter(match.group(1) for line in stack.log for match in [LEFT_FOR_LATER.search(line)] if match)
    wanted = set(references)
    missing = len(wanted - set(counts))
    twice = sum(1 for reference in wanted if counts[reference] > 1)
    twice_by_messages = _messages_behind(stack.log, {reference for reference in wanted if counts[reference] > 1})
    first, last = _pace(started, finished, first=True), _pace(started, finished, first=False)
    overall = len(finished) / (submitted - started)
    return [
        (
            f"submissions/s, first {WINDOW:,} ({CLIENTS} clients)",
            f"{first:.1f} ({ratio(first, floor_before)} of floor)",
            f"{floor_before:.1f} TransactWriteItems+SendMessage/s, empty tables",
        ),
        (
            f"submissions/s, last {WINDOW:,}",
            f"{last:.1f} ({ratio(last, floor_after)} of floor; {ratio(last, first)} of the first)",
            f"{floor_after:.1f} /s, after the burst"
            + (f" ({still_waiting:,} still to acknowledge)" if still_waiting else " (all acknowledged)"),
        ),
        (
            f"submissions/s, each {WINDOW:,} in turn",
            ", ".join(f"{pace:.1f}" for pace in _paces(started, finished)),
            "",
        ),
        (
            f"{SUBMISSIONS:,} submissions",
            f"{len(finished):,} answered 202 in {submitted - started:.0f} s ({overall:.1f}/s)",
            "",
        ),
        ("errors", f"{sum(errors.values())} {dict(errors) or ''}", ""),
        (
            "acknowledgements in the outbox",
            f"{len(wanted) - missing:,}/{len(wanted):,}, {missing} missing, {twice} sent twice",
            f"outbox read in {outbox_seconds:.1f} s (on from the last email read, every 5 s)"
            + (f"; outbox messages behind each sent twice: {twice_by_messages}" if twice else ""),
        ),
        (
            "time from last submission to last acknowledgement",
            f"{acknowledged_after:.1f} s" if acknowledged_after is not None else "not all in time",
            "",
        ),
        (
            "stack RSS at the end / peak (limit 1 GB)",
            f"{_mb(memory)} / {_mb(peak)}" + (" OVER" if peak > MEMORY_LIMIT_BYTES else ""),
            f"{_mb(memory_after_burst)} when the last submission was answered, {_mb(memory_drained)} "
            "when the last was acknowledged; the end is after GET /_local/outbox (peak: sampled every 0.5 s)",
        ),
        ("handlers past their Timeout (stack log)", f"{sum(timeouts.values())} {dict(timeouts) or ''}", ""),
        (
            "SES sends with no answer (stack log)",
            f"{unanswered}",
            "read timed out or connection closed after the request: sent or not, a retry sends again",
        ),
        (
            "AWS requests not made: their caller gave up waiting for moto (stack log)",
            f"{sum(not_made.values())} {dict(not_made) or ''}",
            "a send given up and not made is retried, and sent once (infra/local/moto_endpoint.py)",
        ),
        (
            "records left for a later invocation (stack log)",
            f"{sum(left_for_later.values())} {dict(left_for_later) or ''}",
            "OutOfTime: no mail started with < 8 s left; LeftForLater: not started with < 1/3 left",
        ),
        (
            "snapshot saves that held moto ≥ 1 s (stack log)",
            f"{len(held_long)}" + (f", the longest {max(held_long) / 1000:.1f} s" if held_long else ""),
            "every 30 s when something changed (infra/local/persistence.py)",
        ),
        ("Ctrl-C to exit", f"{stop_seconds:.1f} s", ""),
    ]
