"""`make bench`: every section prints its figures beside a baseline measured in the same run.

Choose sections with BENCH_ONLY=cold,warm,stack,burst,mail,queue,reports,comments,cost (default: all that are present).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time

from bench.report import print_table

SECTIONS = {
    "cold": ("Cold start (median of fresh processes)", "bench.cold_start"),
    "warm": ("Warm intake on in-process moto", "bench.warm_intake"),
    "stack": ("Local stack under 16 concurrent clients", "bench.local_stack"),
    "burst": ("Local stack through a burst of submissions (BENCH_BURST_SUBMISSIONS)", "bench.local_burst"),
    "mail": ("Mail parsing: 10 MB message with three attachments", "bench.mail_parse"),
    "queue": ("Editors' queue: listing, search, counts at BENCH_QUEUE_SIZES requests", "bench.queue_listing"),
    "reports": ("Editor-in-chief's report: one month, 10,000 requests (BENCH_REPORTS_REQUESTS)", "bench.reports"),
    "comments": ("Reader comments: submit, the public list, a breaking story", "bench.comments"),
    "cost": ("Cost in AWS, from the calls the handlers made", "bench.cost"),
}


def main() -> int:
    chosen = [s.strip() for s in os.environ.get("BENCH_ONLY", ",".join(SECTIONS)).split(",") if s.strip()]
    print(
        f"# Corrigo benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — Python {platform.python_version()} on {os.cpu_count()} cores"
    )
    for key in chosen:
        title, module_name = SECTIONS[key]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            print(f"\n## {title}\n\n(not present yet)")
            continue
        started = time.perf_counter()
        rows = module.run()
        print_table(title, rows)
        print(f"\n({time.perf_counter() - started:.0f} s)")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
