"""`python -m infra.local`: run the local stack in the foreground until Ctrl-C or SIGTERM.

Ports come from PORT (HTTP, 3000) and AWS_PORT (moto, 4566); `--param Name=Value` overrides a
template parameter (PublicBaseUrl defaults to the local gateway). Each function's AWS calls are
checked against its IAM role (LOCAL_IAM_CHECK=enforce|record|off; see infra/iam/local.py), and
CORRIGO_IAM_REPORT=path.json saves the calls each function made, by service:operation, at exit.
One line starting with "Corrigo local stack ready:" goes to stdout once everything listens; logs go
to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from infra.iam.local import UnknownIamMode

from .stack import LocalStack
from .template import TemplateError


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: .)")
    parser.add_argument("--template", type=Path, help="template path (default: <root>/template.yaml)")
    parser.add_argument("--code-dir", type=Path, help="handler code, Lambda's /var/task (default: <root>/functions)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="template parameter override (repeatable)"
    )
    parser.add_argument("--verbose", action="store_true", help="debug logging (resources created, routes...)")
    return parser.parse_args(argv)


def _overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            raise SystemExit(f"--param {pair!r}: expected NAME=VALUE")
        overrides[name] = value
    return overrides


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # moto's werkzeug server logs every AWS call and botocore is chatty: keep the console to our lines.
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    _configure_logging(args.verbose)
    stack = LocalStack(
        args.root,
        template_path=args.template,
        code_dir=args.code_dir,
        host=args.host,
        http_port=int(os.environ.get("PORT", "3000")),
        aws_port=int(os.environ.get("AWS_PORT", "4566")),
        parameter_overrides=_overrides(args.param),
    )
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start()
    except (TemplateError, UnknownIamMode, OSError, ImportError) as exc:
        logging.getLogger("infra.local").error("the local stack cannot start: %s", exc)
        return 1
    print(stack.ready_line, flush=True)
    try:
        while not stop_requested.wait(0.5):  # a timeout keeps the main thread responsive to signals
            pass
    finally:
        logging.getLogger("infra.local").info("stopping")
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
