"""The editors' API on moto built from template.yaml: authorization, conflicts, queue, deadlines, XSS."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.integration.editor.conftest import EDITOR, OTHER_EDITOR

REF = "CR-2025-ABCDEF"


def editor_routes(routes):
    return sorted({(r.method, r.path) for r in routes if r.path.startswith("/editor/api/")})


def concrete(path: str, reference: str) -> str:
    return path.replace("{reference}", reference)


BODIES = {
    "notes": {"text": "内部备注"},
    "ask": {"message": "请补充材料"},
    "resolve": {"outcome": "rejected", "reply": "不予修改", "public_note": ""},
    "merge": {"into": REF},
    "reopen": {},
}


# Personal data (issue 9): an editor outside `admins` is refused these (docs/privacy.md).
ADMIN_ONLY = {
    "/editor/api/requests/{reference}/erase",
    "/editor/api/requesters/{email}",
    "/editor/api/reply-templates/{outcome}",  # PUT only: saving a reply template (issue 11)
}


def body_for(path: str):
    return BODIES.get(path.rsplit("/", 1)[-1])


def test_every_editor_route_is_behind_the_authorizer(routes):
    found = editor_routes(routes)
    assert len(found) >= 11
    assert all(r.authorizer is not None for r in routes if r.path.startswith("/editor/api/"))
    public = {r.path for r in routes if r.authorizer is None}
    assert {"/editor/", "/editor/config.json", "/editor/editor.js"} <= public


@pytest.mark.parametrize(
    ("who", "expected"),
    [("no token", 401), ("expired", 401), ("wrong signature", 401), ("signed-in non-editor", 403), ("editor", None)],
)
def test_authorization_matrix(who, expected, routes, gateway, tokens, queued):
    from cryptography.hazmat.primitives.asymmetric import rsa

    reference = queued()
    token = {
        "no token": None,
        "expired": tokens(expired=True),
        "wrong signature": tokens(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "signed-in non-editor": tokens(username="reader@news.example.cn", groups=()),
        "editor": tokens(),
    }[who]
    for method, path in editor_routes(routes):
        query = {"outcome": "corrected"} if path.endswith("reply-template") else None
        status, _, body = gateway(
            method,
            concrete(path, reference),
            token=token,
            body=body_for(path) if method == "POST" else None,
            query=query,
        )
        if (
            expected is None
            and path in ADMIN_ONLY
            and (method, path) != ("GET", "/editor/api/reply-templates/{outcome}")
        ):
            assert status == 403, (method, path, status, body)
        elif expected is None:
            assert status not in (401, 403), (method, path, status, body)
            assert status < 500, (method, path, status, body)
        else:
            assert status == expected, (method, path, status, body)


def test_admins_only_group_is_not_an_editor(gateway, tokens):
    status, _, _ = gateway("GET", "/editor/api/requests", token=tokens(groups=("admins",)))
    assert status == 403


def test_a_real_moto_cognito_token_passes_the_authorizer(aws, gateway, monkeypatch):
    """A token minted by (moto's) Cognito for the template's pool and client, checked against its own JWKS."""
    import jwt

    cognito = aws.clients("cognito-idp")
    pool, client = aws.ref("UserPool"), aws.ref("UserPoolClient")
    cognito.admin_create_user(
        UserPoolId=pool, Username=EDITOR, TemporaryPassword="Temp-Passw0rd-1", MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=EDITOR, Password="Editor-Passw0rd-1", Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=EDITOR, GroupName="editors")
    answer = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EDITOR, "PASSWORD": "Editor-Passw0rd-1"},
    )
    token = answer["AuthenticationResult"]["IdToken"]
    # moto's own key set, the one its server publishes at /<pool>/.well-known/jwks.json
    from moto.utilities.utils import load_resource

    monkeypatch.setattr(
        jwt.PyJWKClient, "fetch_data", lambda self: load_resource("cognitoidp/resources/jwks-public.json")
    )
    status, _, body = gateway("GET", "/editor/api/requests", token=token)
    assert status == 200, body


def test_an_invalid_transition_is_409_naming_the_allowed_actions(gateway, tokens, queued):
    reference = queued()
    status, _, body = gateway(
        "POST", f"/editor/api/requests/{reference}/resolve", token=tokens(), body=BODIES["resolve"]
    )
    assert status == 409
    # RFC 9457: `status` is the HTTP status; the request's own is `current_status`.
    assert (body["status"], body["current_status"], body["type"]) == (
        409,
        "queued",
        "urn:corrigo:problem:action-not-allowed",
    )
    assert set(body["allowed"]) == {"claim", "merge"}


def test_the_claim_race_has_one_winner(atomic_aws, gateway, tokens, queued):
    reference = queued()
    first, second = tokens(EDITOR), tokens(OTHER_EDITOR)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def claim(token: str) -> None:
        barrier.wait()
        results.append(gateway("POST", f"/editor/api/requests/{reference}/claim", token=token)[0])

    threads = [threading.Thread(target=claim, args=(t,)) for t in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    case = gateway("GET", f"/editor/api/requests/{reference}", token=first)[2]
    assert case["assignee"] in (EDITOR, OTHER_EDITOR)
    assert [e["action"] for e in case["history"]].count("claim") == 1


def test_only_the_holder_acts_on_a_claimed_request(gateway, tokens, queued):
    reference = queued()
    gateway("POST", f"/editor/api/requests/{reference}/claim", token=tokens(EDITOR))
    status, _, _ = gateway(
        "POST", f"/editor/api/requests/{reference}/ask", token=tokens(OTHER_EDITOR), body=BODIES["ask"]
    )
    assert status == 403
    status, _, _ = gateway(
        "POST", f"/editor/api/requests/{reference}/release", token=tokens(OTHER_EDITOR, groups=("editors", "admins"))
    )
    assert status == 200


def test_notes_are_internal(gateway, tokens, queued, aws):
    from adapters.requests_table import RequestsTable

    reference = queued()
    status, _, _ = gateway(
        "POST", f"/editor/api/requests/{reference}/notes", token=tokens(), body={"text": "来电核实过"}
    )
    assert status == 201
    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())[2]
    assert [n["text"] for n in case["notes"]] == ["来电核实过"]
    assert case["history"][-1]["action"] == "note"
    token = RequestsTable(aws.ref("RequestsTable")).get(reference).status_token
    page = gateway("GET", f"/requests/{reference}", query={"token": token}, headers={"accept": "text/html"})[2]
    assert "来电核实过" not in page


def test_merge_and_reopen(gateway, tokens, queued, sent_mail):
    keep, duplicate = queued(), queued()
    status, _, merged = gateway("POST", f"/editor/api/requests/{duplicate}/merge", token=tokens(), body={"into": keep})
    assert (status, merged["outcome"]) == (200, "merged")
    assert keep in sent_mail()[-1].get_body(("plain",)).get_content()
    status, _, again = gateway("POST", f"/editor/api/requests/{keep}/merge", token=tokens(), body={"into": duplicate})
    assert status == 400 and again["errors"][0]["field"] == "into"
    status, _, reopened = gateway(
        "POST", f"/editor/api/requests/{duplicate}/reopen", token=tokens(), body={"reason": "不是重复"}
    )
    assert (status, reopened["status"], reopened["outcome"]) == (200, "queued", None)


def test_other_requests_on_the_same_article_are_listed(gateway, tokens, queued, valid_request):
    first = queued()
    second = queued(article_url=valid_request["article_url"].rstrip("/") + "/")
    case = gateway("GET", f"/editor/api/requests/{first}", token=tokens())[2]
    assert [o["reference"] for o in case["same_article"]] == [second]


def test_filters_and_cursor_pagination(gateway, tokens, queued):
    removal = [queued(request_type="removal") for _ in range(3)]
    corrections = [queued(request_type="correction") for _ in range(4)]
    token = tokens()
    gateway("POST", f"/editor/api/requests/{corrections[0]}/claim", token=token)

    seen, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, _, page = gateway("GET", "/editor/api/requests", token=token, query=query)
        assert status == 200, page
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(removal + corrections) and len(seen) == 7
    assert set(seen[:3]) == set(removal)  # most urgent first, across statuses

    def refs(**query):
        status, _, page = gateway("GET", "/editor/api/requests", token=token, query=query)
        assert status == 200, page
        return {item["reference"] for item in page["items"]}

    assert refs(urgency="1") == set(removal)
    assert refs(type="correction") == set(corrections)
    assert refs(mine="true") == {corrections[0]}
    assert refs(status="in_review") == {corrections[0]}
    assert refs(overdue="true") == set()
    assert refs(q=removal[1]) == {removal[1]}
    status, _, error = gateway("GET", "/editor/api/requests", token=token, query={"cursor": "bm90IGEgY3Vyc29y"})
    assert status == 400 and error["errors"][0]["field"] == "cursor"
    status, _, error = gateway("GET", "/editor/api/requests", token=token, query={"status": "nonsense"})
    assert status == 400 and error["errors"][0]["field"] == "status"
    counts = gateway("GET", "/editor/api/counts", token=token)[2]["counts"]
    assert counts["queued"] == 6 and counts["in_review"] == 1


def test_quarantined_only_when_asked(gateway, tokens, queued):
    held = queued(website="http://spam.example")  # the honeypot: screening holds it
    assert held not in {i["reference"] for i in gateway("GET", "/editor/api/requests", token=tokens())[2]["items"]}
    listing = gateway("GET", "/editor/api/requests", token=tokens(), query={"status": "quarantined"})[2]
    assert listing["items"] == []  # a honeypot catch is certain spam: hidden unless asked for
    query = {"status": "quarantined", "include_spam": "true"}
    listing = gateway("GET", "/editor/api/requests", token=tokens(), query=query)[2]
    assert [i["reference"] for i in listing["items"]] == [held]


def test_the_sweep_escalates_once_per_breach(aws, queued, sent_mail, monkeypatch):
    from corrigo.model import utc_now
    from handlers import deadline_sweep

    reference = queued(request_type="removal")
    later = utc_now() + timedelta(days=10)
    monkeypatch.setattr(deadline_sweep.service(), "clock", lambda: later)
    before = len(sent_mail())
    first = deadline_sweep.handler({}, aws.context("DeadlineSweepFunction"))
    second = deadline_sweep.handler({}, aws.context("DeadlineSweepFunction"))
    assert first["escalated"] == 1 and second["escalated"] == 0
    escalations = sent_mail()[before:]
    # first response and decision deadlines both passed: one email each, to the editors' address
    assert len(escalations) == 2
    assert {m["To"] for m in escalations} == {"editors@news.example.cn"}
    assert all(reference in m["Subject"] for m in escalations)


def test_the_answer_moves_deadlines_by_the_pause(gateway, tokens, queued, aws, monkeypatch):
    from adapters.requests_table import RequestsTable

    table = RequestsTable(aws.ref("RequestsTable"))
    reference = queued()
    gateway("POST", f"/editor/api/requests/{reference}/claim", token=tokens())
    gateway("POST", f"/editor/api/requests/{reference}/ask", token=tokens(), body={"message": "?"})
    asked = table.get(reference)
    assert asked.paused_at
    from handlers import api

    later = review_clock = api.answers().clock() + timedelta(days=7)
    monkeypatch.setattr(api.answers(), "clock", lambda: review_clock)
    status, _, _ = gateway(
        "POST", f"/requests/{reference}/answer", query={"token": asked.status_token}, body={"text": "好的"}
    )
    assert status == 200
    answered = table.get(reference)
    assert answered.decision_due > asked.decision_due and answered.paused_at is None
    del later


def test_answer_with_a_wrong_token_is_404_and_without_a_question_409(gateway, queued, aws):
    from adapters.requests_table import RequestsTable

    reference = queued()
    assert gateway("POST", f"/requests/{reference}/answer", query={"token": "nope"}, body={"text": "x"})[0] == 404
    token = RequestsTable(aws.ref("RequestsTable")).get(reference).status_token
    status, _, body = gateway("POST", f"/requests/{reference}/answer", query={"token": token}, body={"text": "x"})
    assert status == 409 and body["allowed"] == ["claim", "merge"]


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_payloads_are_data_in_the_api_and_text_on_the_status_page(gateway, tokens, queued, aws):
    from adapters.requests_table import RequestsTable

    reference = queued(article_title=XSS[:150], original_text=XSS, requested_change=XSS, requester_name=XSS[:90])
    case = gateway("GET", f"/editor/api/requests/{reference}", token=tokens())
    assert case[1]["content-type"].startswith("application/json")
    assert case[2]["fields"]["original_text"] == XSS
    gateway("POST", f"/editor/api/requests/{reference}/claim", token=tokens())
    gateway("POST", f"/editor/api/requests/{reference}/ask", token=tokens(), body={"message": XSS})
    token = RequestsTable(aws.ref("RequestsTable")).get(reference).status_token
    page = gateway("GET", f"/requests/{reference}", query={"token": token}, headers={"accept": "text/html"})[2]
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    script = gateway("GET", "/editor/editor.js")[2]
    assert "innerHTML" not in script.replace("never innerHTML", "")


def test_openapi_document_lists_the_routes(gateway, tokens):
    status, _, document = gateway("GET", "/editor/api/openapi.json", token=tokens())
    assert status == 200
    assert "/editor/api/requests/{reference}/resolve" in document["paths"]
    assert "/editor/api/requests" in document["paths"]


def test_the_page_and_its_config(gateway, aws):
    status, headers, html = gateway("GET", "/editor/")
    assert status == 200 and "/editor/editor.js" in html
    assert "connect-src 'self'" in headers["content-security-policy"]
    config = gateway("GET", "/editor/config.json")[2]
    assert config["userPoolId"] == aws.ref("UserPool") and config["clientId"] == aws.ref("UserPoolClient")
    assert config["cognitoEndpoint"].startswith("https://cognito-idp.us-east-1.amazonaws.com")
