"""Stop `make run` and start it again: the request and its acknowledgement are still there."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.support.stack_process import ROOT, start_stack, stop_stack

SAMPLE = ROOT / "schemas" / "samples" / "valid" / "correction-zh.json"


def test_a_request_and_its_acknowledgement_survive_a_restart(tmp_path: Path) -> None:
    env = {"LOCAL_STATE_DIR": str(tmp_path / "state")}
    first = start_stack(extra_env=env)
    try:
        request = urllib.request.Request(
            first.base_url + "/requests",
            data=SAMPLE.read_bytes(),
            method="POST",
            headers={"content-type": "application/json", "accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status == 202
            answer = json.loads(response.read())
        reference, status_path = answer["reference"], answer["status_url"]
        acknowledgement = first.wait_for_mail(lambda m: reference in m["subject"])
        status_before = first.wait_for_status(status_path, "queued")
    finally:
        stop_stack(first)

    second = start_stack(extra_env=env)
    try:
        status_after = second.get_json(status_path)
        assert status_after["status"] == "queued"
        assert status_after["reference"] == reference
        assert status_after["history"] == status_before["history"]
        restored = [m for m in second.outbox() if reference in m["subject"]]
        assert restored == [acknowledgement]  # the same message, once: nothing sent again
    finally:
        stop_stack(second)
    for stack in (first, second):
        assert not [line for line in stack.log if "Traceback" in line], "\n".join(stack.log[-60:])
