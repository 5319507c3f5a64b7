"""Issue 10's end-to-end promise, on the real local stack: with SES down, a form submission is
answered 202 and an editor's decision 200; when SES is back, the acknowledgement and the outcome each
arrive exactly once, within a minute (the transactional outbox, docs/architecture.md)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.test_editor_page import submit
from tests.support.faults import local_fault

pytestmark = pytest.mark.e2e

ADDRESS = "zhao-outage@example.com"
CONFIRM = re.compile(r"https?://[^/\s]+(/requests/\S+/confirm)\?token=([\w-]+)")


def call(stack, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(stack.base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def mail_to(stack, reference: str) -> list[dict[str, Any]]:
    return [m for m in stack.outbox() if reference in m.get("subject", "") and ADDRESS in json.dumps(m["to"])]


def test_with_ses_down_nothing_fails_and_every_promised_mail_arrives_once_when_it_is_back(stack):
    # A request whose requester has confirmed their address, queued for the editors (SES working).
    earlier = submit(stack, requester_email=ADDRESS)
    notice = stack.wait_for_mail(lambda m: earlier["reference"] in m["subject"])
    link = CONFIRM.search(notice["text"])
    assert call(stack, "POST", link.group(1), body={"token": link.group(2)})[0] == 200
    stack.wait_for_status(earlier["status_url"], "queued")
    token = stack.editor_token()
    assert call(stack, "POST", f"/editor/api/requests/{earlier['reference']}/claim", token)[0] == 200

    with local_fault(stack.base_url, "ses", "outage"):
        accepted = submit(stack, requester_email=ADDRESS, requester_name="赵六")  # a new request: 202
        status, resolved = call(
            stack,
            "POST",
            f"/editor/api/requests/{earlier['reference']}/resolve",
            token,
            {"outcome": "corrected", "reply": "您好，第三段已更正。", "public_note": "第三段数字已更正。"},
        )
        assert (status, resolved["status"]) == (200, "resolved"), resolved
        stack.wait_for_status(accepted["status_url"], "queued")  # screened; its acknowledgement waits
        time.sleep(3)  # attempts fail meanwhile: nothing may leak out
        assert mail_to(stack, accepted["reference"]) == []
        assert [m for m in mail_to(stack, earlier["reference"]) if "更正" in m["subject"]] == []

    # Retries come at most a minute apart (corrigo.outbox.MAX_RETRY_SECONDS); the wait allows for a busy machine.
    acknowledgement = stack.wait_for_mail(lambda m: accepted["reference"] in m["subject"], timeout=90)
    outcome = stack.wait_for_mail(
        lambda m: earlier["reference"] in m["subject"] and "第三段已更正" in m["text"], timeout=90
    )
    time.sleep(5)  # a duplicate would come from a retry already scheduled: give it time to show
    assert len(mail_to(stack, accepted["reference"])) == 1, acknowledgement
    assert len([m for m in mail_to(stack, earlier["reference"]) if "第三段已更正" in m["text"]]) == 1, outcome
