"""`python -m infra.iam.report calls.json [--per N]`: the AWS calls a run recorded, per function.

calls.json is what a process wrote through CORRIGO_IAM_REPORT (infra/iam/recorder.py). With
`--per N` every count is divided by N — for example the number of submissions the run accepted,
to read "AWS calls per accepted submission" (see docs/operations.md, "IAM check").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def calls_by_function(report: dict[str, Any], *, key: str = "calls") -> dict[str, Counter[str]]:
    """{function: Counter({"dynamodb:TransactWriteItems": n, ...})}; key="actions" for the IAM actions."""
    return {function: Counter(seen.get(key, {})) for function, seen in report["functions"].items() if seen.get(key)}


def format_table(counts: dict[str, Counter[str]], per: float = 1.0) -> list[str]:
    lines = []
    total = 0
    for function, calls in sorted(counts.items()):
        subtotal = sum(calls.values())
        total += subtotal
        lines.append(f"{function}: {subtotal / per:g}")
        lines.extend(f"  {name}: {count / per:g}" for name, count in sorted(calls.items()))
    lines.append(f"all functions: {total / per:g}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.iam.report", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the JSON file CORRIGO_IAM_REPORT named")
    parser.add_argument("--per", type=float, default=1.0, help="divide every count by this (e.g. submissions accepted)")
    parser.add_argument(
        "--actions", action="store_true", help="count IAM actions (each item of a transaction) instead of calls"
    )
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    counts = calls_by_function(report, key="actions" if args.actions else "calls")
    print("\n".join(format_table(counts, args.per)))
    for denial in report.get("denials", []):
        print(denial["line"], file=sys.stderr)
    return 1 if report.get("denials") else 0


if __name__ == "__main__":
    sys.exit(main())
