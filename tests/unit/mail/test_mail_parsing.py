"""parse_mail on hand-built messages: charsets, headers, bodies, attachments, loop signals."""

from __future__ import annotations

import base64
import random

import pytest

from corrigo.mail import ParsedMail, parse_mail
from corrigo.mail.charsets import decode_bytes, decode_encoded_words
from corrigo.mail.htmltext import read_html
from corrigo.mail.limits import ReadLimits


def mail(headers: str, body: bytes = b"", *, crlf: bool = True) -> bytes:
    head = headers.strip("\n").replace("\n", "\r\n" if crlf else "\n").encode("utf-8")
    return head + (b"\r\n\r\n" if crlf else b"\n\n") + body


# --- never raises --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe",
        b"not a mail at all",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\n",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"Subject: =?utf-8?B?broken\r\nFrom: <<<@>>>\r\nDate: yesterday\r\n\r\nbody",
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\n\xe4\xbd\xa0\xe5\xa5\xbd",
    ],
)
def test_parse_mail_never_raises_on_broken_input(raw: bytes) -> None:
    assert isinstance(parse_mail(raw), ParsedMail)


def test_parse_mail_never_raises_on_random_bytes() -> None:
    generator = random.Random(20260305)
    for _ in range(200):
        raw = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400)))
        assert isinstance(
            parse_mail(b"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + raw), ParsedMail
        )


def test_forwards_nested_without_end_stop_at_a_depth_limit() -> None:
    inner = b"Subject: bottom\r\n\r\nthe end"
    for level in range(12):
        inner = b"Subject: level %d\r\nContent-Type: message/rfc822\r\n\r\n" % level + inner
    parsed = parse_mail(inner)

    depth = 0
    while parsed.forwarded:
        parsed, depth = parsed.forwarded[0], depth + 1
    assert depth == 5


# --- charsets ------------------------------------------------------------------------------------


def test_gb2312_label_over_gbk_bytes_reads_as_gb18030() -> None:
    # 镕 and 啰 are GBK, not GB2312: strict gb2312 would fail on them.
    body = "朱镕基 啰嗦 申请人：张三".encode("gbk")
    parsed = parse_mail(mail("Content-Type: text/plain; charset=GB2312\nContent-Transfer-Encoding: 8bit", body))

    assert parsed.text == "朱镕基 啰嗦 申请人：张三"


@pytest.mark.parametrize(
    ("label", "encoding", "text"),
    [
        ("x-gbk", "gbk", "稿件标题"),
        ("cp936", "gbk", "稿件标题"),
        ("ks_c_5601-1987", "cp949", "안녕하세요"),
        ("big5", "big5hkscs", "稿件標題 香港"),
        ("Shift_JIS", "cp932", "テスト①"),
        ("no-such-charset", "utf-8", "未知字符集"),
        ("no-such-charset", "gb18030", "未知字符集"),
    ],
)
def test_charset_aliases_and_unknown_labels(label: str, encoding: str, text: str) -> None:
    assert decode_bytes(text.encode(encoding), label) == text


def test_unknown_charset_falls_back_to_latin1_when_nothing_else_reads_it() -> None:
    assert decode_bytes(b"caf\xe9 \x81", "no-such-charset") == "caf\xe9 \x81"


def test_no_content_type_and_empty_transfer_encoding_give_utf8_text() -> None:
    parsed = parse_mail(mail("Subject: hi\nContent-Transfer-Encoding:", "申请人：张三".encode()))

    assert parsed.text == "申请人：张三"


def test_raw_8bit_headers_decode_as_utf8_then_gb18030() -> None:
    raw = b"Subject: " + "更正申请".encode("gbk") + b"\r\nFrom: " + "张三".encode() + b" <zs@example.com>\r\n\r\nx"
    parsed = parse_mail(raw)

    assert parsed.subject == "更正申请"
    assert (parsed.from_name, parsed.from_address) == ("张三", "zs@example.com")


def test_encoded_words_split_inside_a_character_are_joined() -> None:
    data = "更正申请".encode()
    first, second = base64.b64encode(data[:4]).decode(), base64.b64encode(data[4:]).decode()

    assert decode_encoded_words(f"=?utf-8?B?{first}?=\r\n =?utf-8?B?{second}?=") == "更正申请"
    assert decode_encoded_words("Re: =?gb2312?Q?=B8=FC=D5=FD?= now") == "Re: 更正 now"


# --- headers -------------------------------------------------------------------------------------


def test_headers_addresses_ids_and_date() -> None:
    parsed = parse_mail(
        mail(
            """
From: =?utf-8?B?5byg5LiJ?= <ZS@Example.com>
Reply-To: "Li, Si" <ls@example.com>
To: a@example.com, =?utf-8?Q?B?= <b@example.com>
Cc: c@example.com
Subject: =?utf-8?B?5pu05q2j55Sz6K+3?=
Message-ID: <abc@example.com>
In-Reply-To: <prev@corrigo.invalid>
References: <one@x> <two@y>
Date: Thu, 5 Mar 2026 10:00:00 +0800
Auto-Submitted: no
Precedence: bulk
List-Id: <news.example.com>
""",
            b"hello",
        )
    )

    assert (parsed.from_name, parsed.from_address, parsed.reply_to) == ("张三", "ZS@Example.com", "ls@example.com")
    assert parsed.to == ("a@example.com", "b@example.com")
    assert parsed.cc == ("c@example.com",)
    assert parsed.subject == "更正申请"
    assert (parsed.message_id, parsed.in_reply_to, parsed.references) == (
        "abc@example.com",
        "prev@corrigo.invalid",
        ("one@x", "two@y"),
    )
    assert parsed.date is not None
    assert parsed.date.isoformat() == "2026-03-05T10:00:00+08:00"
    assert parsed.header("subject") == "更正申请"
    assert (parsed.precedence, parsed.list_id) == ("bulk", "<news.example.com>")
    assert parsed.is_auto_generated


@pytest.mark.parametrize(
    ("headers", "auto"),
    [
        ("Auto-Submitted: no", False),
        ("Auto-Submitted: auto-replied", True),
        ("Precedence: junk", True),
        ("X-Autoreply: yes", True),
        ("From: MAILER-DAEMON@example.com", True),
        ("From: person@example.com", False),
    ],
)
def test_loop_signals(headers: str, auto: bool) -> None:
    assert parse_mail(mail(headers, b"x")).is_auto_generated is auto


# --- bodies and attachments ----------------------------------------------------------------------


def test_text_plain_is_preferred_over_html() -> None:
    raw = mail(
        """
Content-Type: multipart/alternative; boundary=b
""",
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n"
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html words</p>\r\n--b--\r\n",
    )
    parsed = parse_mail(raw)

    assert parsed.text == "plain words"
    assert "<p>html words</p>" in parsed.html


def test_html_only_tables_become_rows_and_labelled_lines() -> None:
    html = (
        "<html><head><style>td{color:red}</style><script>var a=1;</script></head><body>"
        "<div>编辑您好：</div><table><tr><td>申请人</td><td>张三</td></tr>"
        "<tr><th>稿件标题</th><td>某新闻<br>副题</td></tr></table><p>谢谢&amp;再见</p></body></html>"
    )
    parsed = parse_mail(mail("Content-Type: text/html; charset=utf-8", html.encode()))

    assert parsed.text == "编辑您好：\n\n申请人 | 张三\n\n稿件标题 | 某新闻 副题\n\n谢谢&再见"
    assert read_html(html).tables == [[["申请人", "张三"], ["稿件标题", "某新闻\n副题"]]]


def test_text_of_a_huge_html_body_comes_from_its_start() -> None:
    html = "<p>" + "a" * 30 + "</p><p>" + "b" * 30 + "</p>"
    parsed = parse_mail(mail("Content-Type: text/html; charset=utf-8", html.encode()), ReadLimits(max_html_chars=43))

    assert parsed.text == "a" * 30 + "\n\n" + "b" * 3
    assert parsed.html == html[:43]  # cut before anything reads it; the raw mail keeps it whole
    assert any(problem.startswith("HTML of ") for problem in parsed.problems), parsed.problems


def test_format_flowed_lines_are_joined() -> None:
    raw = mail("Content-Type: text/plain; charset=utf-8; format=flowed", b"a long \r\nline\r\nnext")

    assert parse_mail(raw).text == "a long line\nnext"


def test_attachments_with_rfc2231_and_rfc2047_names() -> None:
    raw = mail(
        "Content-Type: multipart/mixed; boundary=b",
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.docx\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"PK\x03\x04data") + b"\r\n"
        b'--b\r\nContent-Type: image/png; name="=?gb2312?B?'
        + base64.b64encode("截图".encode("gb2312"))
        + b'?=.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--b--\r\n",
    )
    parsed = parse_mail(raw)

    assert parsed.text == "see attached"
    assert [(a.filename, a.content_type, a.data[:2]) for a in parsed.attachments] == [
        ("申请表.docx", "application/octet-stream", b"PK"),
        ("截图.png", "image/png", b"\x89P"),
    ]


def test_forwarded_message_rfc822_part_is_parsed_as_a_mail() -> None:
    inner = mail("From: a@example.com\nSubject: =?utf-8?B?5Y6f5Lu2?=", "申请人：张三".encode())
    raw = mail(
        "Content-Type: multipart/mixed; boundary=b\nSubject: Fwd",
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n",
    )
    parsed = parse_mail(raw)

    (forwarded,) = parsed.forwarded
    assert (forwarded.subject, forwarded.from_address, forwarded.text) == ("原件", "a@example.com", "申请人：张三")
