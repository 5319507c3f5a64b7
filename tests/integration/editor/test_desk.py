"""The editors' desk through the gateway on moto (issue 11): bulk actions, each its own conditional
write with its outcome email; saved reply templates (admins) overriding the file default; the
requester's and the article's other requests; one timeline."""

from __future__ import annotations

import pytest

from tests.integration.editor.conftest import EDITOR, OTHER_EDITOR

ADMIN_GROUPS = ("editors", "admins")


def outcome_mails(sent_mail, address):
    return [m for m in sent_mail() if address in str(m["To"]) and "CR-" in str(m["Subject"])]


def test_bulk_reject_resolves_each_and_mails_each_requester_once(gateway, tokens, queued, sent_mail, valid_request):
    references = [queued(requester_email=f"reader{i}@example.org") for i in range(3)]
    before = len(sent_mail())

    status, _, answer = gateway(
        "POST", "/editor/api/requests/bulk", token=tokens(), body={"references": references, "action": "reject"}
    )

    assert status == 200, answer
    assert (answer["succeeded"], answer["failed"]) == (3, 0)
    for reference in references:
        case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]
        assert (case["status"], case["outcome"]) == ("resolved", "rejected")
    told = sent_mail()[before:]
    assert sorted(str(m["To"]) for m in told) == [f"reader{i}@example.org" for i in range(3)]
    # Delivered once: running the outbox again sends nothing more.
    assert len(sent_mail()) == before + 3


def test_a_bulk_answer_says_which_failed_and_why_in_the_editors_language(gateway, tokens, queued):
    mine, theirs = queued(), queued()
    gateway("POST", f"/editor/api/requests/{theirs}/claim", token=tokens(username=OTHER_EDITOR))

    status, _, answer = gateway(
        "POST",
        "/editor/api/requests/bulk",
        token=tokens(),
        body={"references": [mine, theirs], "action": "claim"},
        headers={"accept-language": "zh-CN"},
    )

    assert status == 200
    items = {item["reference"]: item for item in answer["items"]}
    assert items[mine]["ok"] is True and items[mine]["status"] == "in_review"
    assert items[theirs] | {"message": None} == {
        "reference": theirs,
        "ok": False,
        "status": "in_review",
        "refusal": "not_allowed",
        "message": None,
    }
    assert items[theirs]["message"] == "当前状态不允许此操作"
    released = gateway(
        "POST",
        "/editor/api/requests/bulk",
        token=tokens(),
        body={"references": [theirs], "action": "release"},
        headers={"accept-language": "en"},
    )[2]
    assert released["items"][0]["message"] == "Held by another editor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"references": [f"CR-2026-ABC{i:03d}" for i in range(51)], "action": "claim"}, "references"),
        ({"references": [], "action": "claim"}, "references"),
        ({"references": ["CR-2026-ABC234"], "action": "approve"}, "action"),
        ({"references": ["CR-2026-ABC234"], "action": "reject", "reply": "Dear {name}"}, "reply"),
    ],
)
def test_a_bad_bulk_request_is_400_naming_the_field(gateway, tokens, body, field):
    status, _, answer = gateway("POST", "/editor/api/requests/bulk", token=tokens(), body=body)
    assert status == 400
    assert answer["errors"][0]["field"] == field


def test_an_admin_saves_a_template_and_the_next_case_starts_from_it(gateway, tokens, queued):
    reference = queued()
    path = "/editor/api/reply-templates/rejected"
    shown = gateway("GET", path, token=tokens())[2]
    assert shown["saved"] is False and "{article_title}" in shown["zh"]

    saved = {
        "zh": "{requester_name}您好：《{article_title}》不予修改（{reference}）。",
        "en": "Dear {requester_name}: no.",
    }
    assert gateway("PUT", path, token=tokens(), body=saved)[0] == 403
    status, _, bad = gateway("PUT", path, token=tokens(groups=ADMIN_GROUPS), body={**saved, "en": "Hi {nmae}"})
    assert (status, bad["errors"][0]["field"]) == (400, "en")
    status, _, answer = gateway("PUT", path, token=tokens(groups=ADMIN_GROUPS), body=saved)
    assert (status, answer["saved"], answer["updated_by"]) == (200, True, EDITOR)

    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]
    template = gateway(
        "GET",
        f"/editor/api/requests/{reference}/reply-template",
        token=tokens(),
        query={"outcome": "rejected", "lang": "zh"},
    )[2]
    fields = case["fields"]
    assert template["text"] == f"{fields['requester_name']}您好：《{fields['article_title']}》不予修改（{reference}）。"


def test_the_requesters_and_the_articles_other_requests(gateway, tokens, queued, valid_request):
    first = queued(requester_email="same@example.org")
    second = queued(requester_email="Same@Example.org", article_url="https://news.example.cn/other/story")
    third = queued(requester_email="else@example.org")

    related = gateway("GET", f"/editor/api/requests/{first}/related", token=tokens())[2]

    assert [r["reference"] for r in related["requester"]] == [second]
    assert [r["reference"] for r in related["article"]] == [third]


def test_history_and_notes_are_one_timeline(gateway, tokens, queued):
    reference = queued()
    gateway("POST", f"/editor/api/requests/{reference}/claim", token=tokens())
    gateway("POST", f"/editor/api/requests/{reference}/notes", token=tokens(), body={"text": "打过电话"})

    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]

    kinds = [(entry["kind"], entry["action"]) for entry in case["timeline"]]
    assert kinds[-2:] == [("event", "claim"), ("note", "note")]
    assert case["timeline"][-1]["text"] == "打过电话"
    assert [entry["at"] for entry in case["timeline"]] == sorted(entry["at"] for entry in case["timeline"])
