"""The local stack's snapshot (infra/local/persistence.py) on in-process moto, for its tests."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import moto_fixes
from infra.local.persistence import Persistence
from infra.local.template import REGION


@contextlib.contextmanager
def in_process_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto as the local stack runs it (its fixes applied: transactions roll back from a journal)."""
    from moto import mock_aws

    moto_fixes.apply()
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def saver_in(state_dir: Path) -> Persistence:
    """A saver of moto's state to ``state_dir``, its clients made once each, with no lock to take."""
    return Persistence(state_dir, functools.cache(client), contextlib.nullcontext, {})


def log_lines(saver: Persistence) -> list[dict[str, Any]]:
    """The saver's change log, a dict a line."""
    assert saver.log_file is not None
    return [json.loads(line) for line in saver.log_file.read_bytes().splitlines()]
