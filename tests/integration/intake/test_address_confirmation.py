"""Issue 9, no relay (the form): what was typed reaches an address only after that address confirms.

The first mail to an address typed into the form says a request was received, its reference, the
status link and the confirmation link; nothing the sender wrote. The link's page posts back; the
post confirms, and the full acknowledgement follows.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.integration.intake.conftest import CONFIRM_LINK, body_of, confirm_call

# Every free-text value of the sample request: none may reach an unconfirmed address.
WRITTEN = ("某市举行秋季运动会", "300 名选手", "3000 名选手", "组委会公告", "张三", "个人", "138 0013 8000")


def plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_first_mail_to_a_typed_address_carries_nothing_the_sender_wrote(
    aws, post_json, valid_request, drain_intake_queue, sent_mail
):
    reference = body_of(post_json(valid_request))["reference"]
    drain_intake_queue()

    [message] = sent_mail()
    text = plain(message)
    assert message["To"] == valid_request["requester_email"]
    assert reference in message["Subject"] and reference in text
    assert f"http://corrigo.test/requests/{reference}?token=" in text
    assert CONFIRM_LINK.search(text), text
    for written in WRITTEN:
        assert written not in text and written not in str(message["Subject"])
    assert text.index("确认") < text.index("confirm")  # bilingual, Chinese first


def test_the_confirmation_page_changes_nothing_and_its_post_sends_the_full_acknowledgement(
    aws, post_json, valid_request, drain_intake_queue, sent_mail
):
    from adapters.requests_table import RequestsTable

    reference = body_of(post_json(valid_request))["reference"]
    drain_intake_queue()
    link = plain(sent_mail()[0])

    page = confirm_call(aws, "GET", link)  # a mail scanner fetching the link confirms nothing
    assert page["statusCode"] == 200 and 'method="post"' in page["body"]
    assert len(sent_mail()) == 1

    confirmed = confirm_call(aws, "POST", link)
    assert confirmed["statusCode"] == 303
    assert urlsplit(confirmed["headers"]["Location"]).path == f"/requests/{reference}"
    full = sent_mail()[1]
    assert full["To"] == valid_request["requester_email"]
    assert "某市举行秋季运动会" in plain(full)  # the acknowledgement, with what was received

    again = confirm_call(aws, "POST", link, html=False)  # a second click: no second acknowledgement
    assert again["statusCode"] == 200 and body_of(again)["confirmed"] is True
    assert len(sent_mail()) == 2
    stored = RequestsTable(aws.ref("RequestsTable")).get(reference)
    assert stored.status.value == "queued"  # queued as before: only what is mailed changed


def test_a_wrong_confirmation_token_is_not_found(aws, post_json, valid_request, drain_intake_queue, sent_mail):
    reference = body_of(post_json(valid_request))["reference"]
    drain_intake_queue()

    forged = f"http://corrigo.test/requests/{reference}/confirm?token=not-the-token"
    assert confirm_call(aws, "POST", forged)["statusCode"] == 404
    assert len(sent_mail()) == 1


def test_a_confirmation_before_screening_lets_the_worker_send_the_acknowledgement(
    aws, post_json, valid_request, drain_intake_queue, sent_mail
):
    """The link can only come from a mail, so this is the worker being slow: the confirmation holds."""
    from adapters.requests_table import RequestsTable

    reference = body_of(post_json(valid_request))["reference"]
    stored = RequestsTable(aws.ref("RequestsTable")).get(reference)
    token = stored.source["contact"]["token"]
    link = f"http://corrigo.test/requests/{reference}/confirm?token={token}"

    assert confirm_call(aws, "POST", link)["statusCode"] == 303
    assert sent_mail() == []  # nothing to acknowledge yet
    drain_intake_queue()

    [message] = sent_mail()
    assert "某市举行秋季运动会" in plain(message)


def test_automatic_mail_to_one_address_is_capped_per_day_and_the_requests_still_queue(
    aws, post_json, valid_request, drain_intake_queue, sent_mail, monkeypatch, service_logs
):
    from adapters.requests_table import RequestsTable
    from handlers import outbox_delivery

    monkeypatch.setattr(outbox_delivery.notifier(), "daily_cap", 2)
    references = []
    for n in range(4):
        document = dict(valid_request, article_url=f"https://news.example.cn/2026/11/20/a12{n}.html")
        references.append(body_of(post_json(document))["reference"])
    drain_intake_queue()

    assert [m["To"] for m in sent_mail()] == [valid_request["requester_email"]] * 2
    table = RequestsTable(aws.ref("RequestsTable"))
    assert all(table.get(r).status.value == "queued" for r in references)
    assert "automatic mail cap reached" in service_logs()
