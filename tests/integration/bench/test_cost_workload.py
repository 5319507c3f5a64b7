"""`make cost` runs the real handlers on moto and counts what each request costs; it must keep working."""

from __future__ import annotations

import pytest


def test_the_cost_workload_records_every_step_a_request_goes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.cost as cost

    monkeypatch.setattr(cost, "SUBMISSIONS", 2)
    web, mail, sweep_per_open, _, bytes_per_request = cost._measure()

    # Submission, screening, address confirmed, case opened, claimed, resolved: three emails each
    # (confirm, acknowledgement, outcome), one intake message, one outcome event.
    assert web.calls["sesv2:SendEmail"] == 3
    assert web.calls["sqs:SendMessage"] == 1
    assert web.calls["events:PutEvents"] == 1
    assert web.dynamodb_write_units > 0 and web.dynamodb_read_units > 0
    assert web.http_requests == 5  # POST /requests, confirm, case, claim, resolve
    assert mail.ses_emails_received == 1 and mail.calls["s3:GetObject"] >= 1
    assert sweep_per_open.dynamodb_read_units > 0
    assert bytes_per_request > 500
