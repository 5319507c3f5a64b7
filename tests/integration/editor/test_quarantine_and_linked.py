"""Issue 5 for editors: the outcome reaches every linked requester, and the quarantine view with
its reasons, release and confirm (each audited)."""

from __future__ import annotations

import pytest

from tests.integration.editor.conftest import EDITOR
from tests.integration.screening.conftest import screening_on  # noqa: F401 (a fixture)


@pytest.fixture
def table(aws):
    from adapters.requests_table import RequestsTable

    return RequestsTable(aws.ref("RequestsTable"))


def test_resolving_a_primary_tells_every_linked_requester_once(
    screening_on,  # noqa: F811
    gateway,
    tokens,
    queued,
    table,
    sent_mail,
    bus_events,
):
    primary = queued()
    second = queued(requester_email="lisi@example.com", requester_name="李四")
    third = queued(requester_email="wangwu@example.com", requester_name="Wang Wu", language="en")
    assert table.get(second).merged_into == primary and table.get(third).merged_into == primary
    acknowledgements = len(sent_mail())

    case = gateway("GET", f"/editor/api/requests/{primary}", token=tokens())[2]
    assert sorted((r["reference"], r["requester_email"]) for r in case["linked_requesters"]) == sorted(
        [(second, "lisi@example.com"), (third, "wangwu@example.com")]
    )

    token = tokens()
    gateway("POST", f"/editor/api/requests/{primary}/claim", token=token)
    body = {"outcome": "corrected", "reply": "已按公告更正人数。", "public_note": "人数已更正"}
    status, _, answer = gateway("POST", f"/editor/api/requests/{primary}/resolve", token=token, body=body)
    assert status == 200 and answer["status"] == "resolved"
    # A retried resolve (e.g. after a timeout) repeats only the side effects, each idempotent.
    status, _, again = gateway("POST", f"/editor/api/requests/{primary}/resolve", token=token, body=body)
    assert status == 200 and again["repeated"] is True

    told = sent_mail()[acknowledgements:]
    assert sorted(m["To"] for m in told) == ["lisi@example.com", "wangwu@example.com", "zhangsan@example.com"]
    english = next(m for m in told if m["To"] == "wangwu@example.com")
    text = english.get_body(("plain",)).get_content()
    assert third in text and "已按公告更正人数。" in text  # its own reference, the editor's reply
    assert len([e for e in bus_events() if e["detail"]["reference"] == primary]) >= 1


def test_the_quarantine_view_shows_reasons_and_hides_spam_unless_asked(
    screening_on,  # noqa: F811
    gateway,
    tokens,
    queued,
    table,
):
    bot = queued(website="http://spam.example", requester_email="bot@example.org")  # the honeypot: spam
    suspect = queued(requester_email="someone@mailinator.com")  # a throw-away address: suspect
    assert table.get(bot).status.value == "quarantined" and "spam" in table.get(bot).flags
    assert table.get(suspect).status.value == "quarantined" and "spam" not in table.get(suspect).flags

    default = {i["reference"] for i in gateway("GET", "/editor/api/requests", token=tokens())[2]["items"]}
    assert bot not in default and suspect not in default

    view = gateway("GET", "/editor/api/requests", token=tokens(), query={"status": "quarantined"})[2]["items"]
    assert [i["reference"] for i in view] == [suspect]
    report = view[0]["screening"]
    assert report["verdict"] == "suspect" and report["score"] >= 3
    assert any(f["rule"] and f["score"] > 0 and f["zh"] and f["en"] for f in report["findings"])

    everything = gateway(
        "GET", "/editor/api/requests", token=tokens(), query={"status": "quarantined", "include_spam": "true"}
    )[2]["items"]
    by_reference = {i["reference"]: i for i in everything}
    assert set(by_reference) == {bot, suspect}
    assert by_reference[bot]["spam"] is True
    assert [f["rule"] for f in by_reference[bot]["screening"]["findings"]][:1] == ["honeypot"]
    case = gateway("GET", f"/editor/api/requests/{bot}", token=tokens())[2]
    assert case["screening"]["verdict"] == "spam"
    assert {"release_quarantine", "confirm_quarantine"} <= set(case["allowed_actions"])
    bad = gateway("GET", "/editor/api/requests", token=tokens(), query={"include_spam": "maybe"})
    assert bad[0] == 400


def test_release_queues_it_and_acknowledges_a_never_acknowledged_requester_once(
    screening_on,  # noqa: F811
    gateway,
    tokens,
    queued,
    table,
    sent_mail,
):
    bot = queued(website="http://spam.example", requester_email="real.person@example.org")
    assert sent_mail() == []  # screening sent nothing to a honeypot catch
    status, _, answer = gateway(
        "POST", f"/editor/api/requests/{bot}/quarantine/release", token=tokens(), body={"reason": "a real reader"}
    )
    assert status == 200 and answer["status"] == "queued"
    assert answer["event"] == {
        "at": answer["event"]["at"],
        "action": "release_quarantine",
        "actor": EDITOR,
        "status_before": "quarantined",
        "status_after": "queued",
    }
    assert [m["To"] for m in sent_mail()] == ["real.person@example.org"]
    assert "spam" not in table.get(bot).flags
    assert bot in {i["reference"] for i in gateway("GET", "/editor/api/requests", token=tokens())[2]["items"]}
    # Released already: a second release is 409 naming what is allowed now, and nothing is sent.
    status, _, conflict = gateway("POST", f"/editor/api/requests/{bot}/quarantine/release", token=tokens())
    assert status == 409 and conflict["allowed"] == ["claim", "merge"]
    assert len(sent_mail()) == 1
    _, history, _ = table.history(bot)
    assert [(e.action.value, e.actor, e.detail) for e in history][-1] == ("release_quarantine", EDITOR, "a real reader")


def test_release_of_an_acknowledged_suspect_sends_no_second_acknowledgement(
    screening_on,  # noqa: F811
    gateway,
    tokens,
    queued,
    sent_mail,
):
    suspect = queued(requester_email="someone@mailinator.com")
    assert len(sent_mail()) == 1
    assert gateway("POST", f"/editor/api/requests/{suspect}/quarantine/release", token=tokens())[0] == 200
    assert len(sent_mail()) == 1


def test_confirm_rejects_and_emails_a_suspect_but_never_a_spam_sender(
    screening_on,  # noqa: F811
    gateway,
    tokens,
    queued,
    table,
    sent_mail,
    bus_events,
):
    bot = queued(website="http://spam.example", requester_email="bot@example.org")
    suspect = queued(requester_email="someone@mailinator.com")
    before = len(sent_mail())

    for reference in (bot, suspect):
        status, _, answer = gateway("POST", f"/editor/api/requests/{reference}/quarantine/confirm", token=tokens())
        assert status == 200, answer
        assert (answer["status"], answer["outcome"], answer["event"]["action"]) == (
            "resolved",
            "rejected",
            "confirm_quarantine",
        )
        assert answer["event"]["actor"] == EDITOR and answer["event"]["status_before"] == "quarantined"

    told = sent_mail()[before:]
    assert [m["To"] for m in told] == ["someone@mailinator.com"]
    assert "bot@example.org" not in {m["To"] for m in sent_mail()}
    assert bus_events() == []  # a moderation call, not an editorial decision on the article
    _, history, _ = table.history(bot)
    assert history[-1].action.value == "confirm_quarantine" and history[-1].actor == EDITOR
    # Nothing left to confirm: 409 with the allowed actions.
    assert gateway("POST", f"/editor/api/requests/{bot}/quarantine/confirm", token=tokens())[0] == 409
