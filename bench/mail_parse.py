"""How dear is parse_mail on a big message, beside the stdlib parser doing the same walk?

Builds a ~10 MB message (a Chinese text body, an HTML alternative and three base64 attachments)
and measures, in the same run, our ``parse_mail`` and the floor: ``email.message_from_bytes``
with ``policy=default`` plus reading every part's content. Time is the median of a few runs;
peak memory is measured in a separate run under tracemalloc (which slows code down).

    PYTHONPATH=functions python bench/mail_parse.py
"""

from __future__ import annotations

import email
import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default

from corrigo.mail import parse_mail

ATTACHMENT_BYTES = 2_400_000  # three of these, base64-encoded, make the message ~10 MB
RUNS = 5


def build_message() -> bytes:
    message = EmailMessage()
    message["From"] = "张三 <zs@example.com>"
    message["To"] = "lxwm@news.example.com"
    message["Subject"] = "更正申请：某地发生交通事故"
    form = "申请人：张三\n联系电话：13800000000\n原文内容：\n" + "第一段原文，需要更正。\n" * 2_000
    message.set_content(form)
    message.add_alternative("<table>" + "<tr><td>申请人</td><td>张三</td></tr>" * 2_000 + "</table>", subtype="html")
    for index, (maintype, subtype, name) in enumerate(
        [("application", "pdf", "证据.pdf"), ("image", "jpeg", "截图.jpg"), ("application", "zip", "材料.zip")]
    ):
        message.add_attachment(os.urandom(ATTACHMENT_BYTES + index), maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def stdlib_parse(raw: bytes) -> int:
    """The floor: the stdlib parser with the modern policy, reading each part's content once."""
    message = email.message_from_bytes(raw, policy=default)
    total = 0
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()  # type: ignore[attr-defined]
            total += len(content)
    return total


def ours(raw: bytes) -> int:
    mail = parse_mail(raw)
    return len(mail.text) + len(mail.html) + sum(attachment.size for attachment in mail.attachments)


def _median_seconds(function: Callable[[bytes], int], raw: bytes) -> float:
    timings = []
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        function(raw)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _peak_bytes(function: Callable[[bytes], int], raw: bytes) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function(raw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run() -> list[tuple[str, str, str]]:
    """Rows of (measure, ours, stdlib baseline)."""
    raw = build_message()
    size = f"{len(raw) / 1e6:.1f} MB"
    our_seconds, their_seconds = _median_seconds(ours, raw), _median_seconds(stdlib_parse, raw)
    our_peak, their_peak = _peak_bytes(ours, raw), _peak_bytes(stdlib_parse, raw)
    return [
        ("message size", size, size),
        (f"parse time, median of {RUNS}", f"{our_seconds * 1000:.0f} ms", f"{their_seconds * 1000:.0f} ms"),
        ("peak memory (tracemalloc)", f"{our_peak / 1e6:.1f} MB", f"{their_peak / 1e6:.1f} MB"),
        ("peak memory / message size", f"{our_peak / len(raw):.1f}x", f"{their_peak / len(raw):.1f}x"),
    ]


def main() -> None:
    rows = [("measure", "parse_mail", "stdlib (policy=default) + walk"), *run()]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
