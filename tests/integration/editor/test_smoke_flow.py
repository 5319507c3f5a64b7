"""A request from queued to resolved through the editors' API, as API Gateway would deliver it."""

from tests.integration.editor.conftest import EDITOR


def test_an_editor_works_a_request_from_queued_to_resolved(gateway, tokens, queued, sent_mail, bus_events, aws):
    reference = queued()
    token = tokens()

    status, _, listing = gateway("GET", "/editor/api/requests", token=token)
    assert status == 200, listing
    assert [item["reference"] for item in listing["items"]] == [reference]

    status, _, claimed = gateway("POST", f"/editor/api/requests/{reference}/claim", token=token)
    assert status == 200, claimed
    assert claimed["assignee"] == EDITOR
    assert claimed["event"] == {
        **claimed["event"],
        "action": "claim",
        "actor": EDITOR,
        "status_before": "queued",
        "status_after": "in_review",
    }

    status, _, asked = gateway(
        "POST", f"/editor/api/requests/{reference}/ask", token=token, body={"message": "请提供原始材料。"}
    )
    assert (status, asked["status"]) == (200, "awaiting_requester"), asked
    assert "请提供原始材料。" in sent_mail()[-1].get_body(("plain",)).get_content()

    case = gateway("GET", f"/editor/api/requests/{reference}", token=token)[2]
    from adapters.requests_table import RequestsTable

    stored = RequestsTable(aws.ref("RequestsTable")).get(reference)
    status, _, answered = gateway(
        "POST", f"/requests/{reference}/answer", query={"token": stored.status_token}, body={"text": "材料见附件链接。"}
    )
    assert (status, answered["status"]) == (200, "in_review"), answered
    assert sent_mail()[-1]["To"] == EDITOR

    status, _, template = gateway(
        "GET", f"/editor/api/requests/{reference}/reply-template", token=token, query={"outcome": "corrected"}
    )
    assert status == 200 and "更正" in template["text"]

    status, _, resolved = gateway(
        "POST",
        f"/editor/api/requests/{reference}/resolve",
        token=token,
        body={"outcome": "corrected", "reply": template["text"], "public_note": "第三段数字已更正。"},
    )
    assert (status, resolved["status"], resolved["outcome"]) == (200, "resolved", "corrected"), resolved
    outcome_mail = sent_mail()[-1]
    assert outcome_mail["To"] == stored.requester_email
    assert "已更正" in outcome_mail["Subject"]
    [event] = bus_events()
    assert event["detail-type"] == "CorrectionResolved"
    assert event["detail"] == {
        **event["detail"],
        "reference": reference,
        "outcome": "corrected",
        "public_note": "第三段数字已更正。",
        "article_url": stored.fields["article_url"],
    }

    status, _, page = gateway(
        "GET", f"/requests/{reference}", query={"token": stored.status_token}, headers={"accept": "application/json"}
    )
    assert (page["outcome"], page["public_note"]) == ("corrected", "第三段数字已更正。")
    assert case["history"][0]["action"] == "submit"
