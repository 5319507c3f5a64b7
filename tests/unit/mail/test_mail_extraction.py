"""extract_fields on each form a person may send: .docx, tables, label lines, forwards and replies."""

from __future__ import annotations

import io
from email.message import EmailMessage

import docx
import pytest

from corrigo.mail import extract_fields, parse_mail, strip_quoted
from corrigo.mail.labels import field_for_label, normalise_date
from corrigo.validation import validate

SITE = ["news.example.com"]

COMPLETE = {
    "request_type": "removal",
    "article_url": "https://news.example.com/a/1.html",
    "article_title": "某地发生交通事故",
    "published_on": "2026-03-05",
    "original_text": "第一段原文，\n第二段原文。",
    "requested_change": "请删除当事人姓名",
    "reason": "涉及个人隐私",
    "requester_name": "张三",
    "requester_organization": "个人",
    "requester_phone": "138 0000 0000",
    "requester_email": "zs@example.com",
    "relationship": "subject",
    "declaration": True,
}

FORM_LINES = """编辑您好：

申请类型：删除
稿件链接：https://news.example.com/a/1.html
稿件标题：某地发生交通事故
发布日期：2026年3月5日
原文内容：
第一段原文，
第二段原文。
修改内容：请删除当事人姓名
修改理由：涉及个人隐私
申请人：张三
单位：个人
联系电话：138 0000 0000
电子邮箱：zs@example.com
与稿件关系：本人
声明：同意

谢谢
"""


def text_mail(body: str, *, charset: str = "utf-8", subject: str = "更正申请", **headers: str) -> bytes:
    head = f"From: zs@example.com\r\nTo: lxwm@news.example.com\r\nSubject: {subject}\r\n"
    head += "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    head += f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    return head.encode("utf-8") + body.replace("\n", "\r\n").encode(charset)


def test_gbk_encoded_label_lines_give_a_valid_request() -> None:
    extraction = extract_fields(parse_mail(text_mail(FORM_LINES, charset="gbk")))

    assert extraction.data == COMPLETE
    assert extraction.source == "lines"
    assert validate(extraction.data, domains=SITE).errors == []


def test_multi_line_value_runs_until_the_next_label() -> None:
    body = "原文内容：第一行\n\n第二行\n  第三行\n修改内容：新的\n"
    data = extract_fields(parse_mail(text_mail(body))).data

    assert data["original_text"] == "第一行\n\n第二行\n  第三行"
    assert data["requested_change"] == "新的"


def test_single_line_fields_ignore_what_follows_them() -> None:
    data = extract_fields(parse_mail(text_mail("申请人：张三\n\n此致敬礼\n"))).data

    assert data == {"requester_name": "张三"}


def test_full_width_colons_and_letters_synonyms_and_decoration() -> None:
    body = (
        "１. 姓名： 李四\n"
        "【手机】：１３９１２３４５６７８\n"
        "ｅ－ｍａｉｌ：ls@example.com\n"
        "Tel (mobile): 0755 1234567\n"
        "标题:  测试\n"
        "  文章链接 ：  https://news.example.com/b\n"
    )
    data = extract_fields(parse_mail(text_mail(body))).data

    assert data == {
        "requester_name": "李四",
        "requester_phone": "１３９１２３４５６７８",
        "requester_email": "ls@example.com",
        "article_title": "测试",
        "article_url": "https://news.example.com/b",
    }


def test_a_bar_inside_a_label_line_value_is_kept() -> None:
    data = extract_fields(parse_mail(text_mail("原文内容：A | B\n申请人\t张三\n【修改理由】\n见附件\n"))).data

    assert data == {"original_text": "A | B", "requester_name": "张三", "reason": "见附件"}


def test_two_labels_on_one_line() -> None:
    data = extract_fields(parse_mail(text_mail("申请人：张三    联系电话：13800000000\n"))).data

    assert data == {"requester_name": "张三", "requester_phone": "13800000000"}


def test_english_labels() -> None:
    body = (
        "Request type: Copyright or attribution\nArticle URL: https://news.example.com/c\n"
        "Your name: Jane Doe\nRelation to the article: lawyer\nI confirm: yes\n"
    )
    data = extract_fields(parse_mail(text_mail(body))).data

    assert data == {
        "request_type": "copyright",
        "article_url": "https://news.example.com/c",
        "requester_name": "Jane Doe",
        "relationship": "representative",
        "declaration": True,
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("删除", "removal"),
        ("撤稿", "removal"),
        ("Takedown", "removal"),
        ("更正（错别字）", "correction"),
        ("修改/补充", "update"),
        ("☐更正 ☑删除 ☐其他", "removal"),
        ("[ ] update [x] copyright", "copyright"),
        ("something else", "something else"),
    ],
)
def test_request_type_synonyms(written: str, expected: str) -> None:
    assert extract_fields(parse_mail(text_mail(f"申请类型：{written}\n"))).data["request_type"] == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("本人/当事人", "subject"),
        ("本人", "subject"),
        ("委托代理人", "representative"),
        ("著作权人", "rights_holder"),
        ("网友", "reader"),
    ],
)
def test_relationship_synonyms(written: str, expected: str) -> None:
    assert extract_fields(parse_mail(text_mail(f"身份：{written}\n"))).data["relationship"] == expected


def test_management_is_not_the_word_agent() -> None:
    assert extract_fields(parse_mail(text_mail("Relationship: management\n"))).data["relationship"] == "management"


@pytest.mark.parametrize(
    "written",
    ["2026年3月5日", "2026/3/5", "2026.3.5", "2026-03-05", "２０２６年３月５日", "2026 年 3 月 5 日 上午"],
)
def test_date_forms(written: str) -> None:
    assert normalise_date(written) == "2026-03-05"


def test_impossible_date_is_left_for_validation() -> None:
    assert normalise_date("2026年2月30日") == "2026年2月30日"


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        ("声明：是\n", True),
        ("声明：☑\n", True),
        ("承诺：本人承诺以上信息真实、准确\n", True),
        ("Declaration: I confirm this is true and accurate\n", True),
        ("声明：否\n", False),
        ("☑ 本人承诺以上信息真实、准确\n", True),
        ("本人承诺以上信息真实、准确。\n", True),
        ("☐ 本人承诺以上信息真实、准确\n", False),
        ("[ ] I confirm this is true and accurate\n", False),
    ],
)
def test_declaration(body: str, declared: bool) -> None:
    assert ("declaration" in extract_fields(parse_mail(text_mail(body))).data) is declared


def test_honeypot_is_never_extracted_and_sender_is_not_the_requester_email() -> None:
    data = extract_fields(parse_mail(text_mail("网站（请留空）：http://spam.example\n申请人：张三\n"))).data

    assert data == {"requester_name": "张三"}


def test_text_table_rows_two_and_four_columns() -> None:
    body = (
        "| 字段 | 内容 |\n|---|---|\n"
        "| 申请类型 | 更正 |\n"
        "| 申请人 | 张三 | 联系电话 | 13800000000 |\n"
        "| 修改内容 | Correction |\n"
        "| 原文内容 | 第一行 |\n|  | 第二行 |\n"
    )
    extraction = extract_fields(parse_mail(text_mail(body)))

    assert extraction.data == {
        "request_type": "correction",
        "requester_name": "张三",
        "requester_phone": "13800000000",
        "requested_change": "Correction",
        "original_text": "第一行\n第二行",
    }
    assert extraction.source == "table"


def test_html_only_table_mail() -> None:
    message = EmailMessage()
    message["Subject"] = "申请"
    rows = "".join(
        f"<tr><td>{label}</td><td>{value}</td></tr>"
        for label, value in [
            ("稿件标题", "某地发生交通事故"),
            ("原文内容", "第一段原文，<br>第二段原文。"),
            ("发布时间", "2026/3/5"),
            ("与稿件的关系", "当事人"),
        ]
    )
    message.set_content(f"<html><body><p>您好</p><table border=1>{rows}</table></body></html>", subtype="html")
    extraction = extract_fields(parse_mail(message.as_bytes()))

    assert extraction.data == {
        "article_title": "某地发生交通事故",
        "original_text": "第一段原文，\n第二段原文。",
        "published_on": "2026-03-05",
        "relationship": "subject",
    }
    assert extraction.source == "table"


def test_html_table_in_a_quoted_original_is_ignored() -> None:
    message = EmailMessage()
    message["Subject"] = "Re: 申请"
    message.set_content(
        "<div>稿件标题：新标题</div><div>------------------ 原始邮件 ------------------</div>"
        "<table><tr><td>申请人</td><td>旧名字</td></tr></table>",
        subtype="html",
    )
    assert extract_fields(parse_mail(message.as_bytes())).data == {"article_title": "新标题"}


def build_docx(rows: list[list[str]], paragraphs: list[str]) -> bytes:
    document = docx.Document()
    document.add_paragraph("新闻稿件修改申请表")
    table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            cell.text = value
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_mail(body: str, attachment: bytes, filename: str = "申请表.docx") -> bytes:
    message = EmailMessage()
    message["Subject"] = "修改申请"
    message["From"] = "zs@example.com"
    message.set_content(body)
    message.add_attachment(
        attachment,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename=filename,
    )
    return message.as_bytes()


def test_docx_form_with_two_and_four_column_rows_and_paragraphs() -> None:
    form = build_docx(
        [
            ["申请类型", "删除", "发布日期", "2026年3月5日"],
            ["稿件链接", "https://news.example.com/a/1.html", "稿件标题", "某地发生交通事故"],
            ["原文内容", "第一段原文，\n第二段原文。", "", ""],
            ["修改内容", "请删除当事人姓名"],
            ["修改理由", "涉及个人隐私"],
            ["申请人", "张三", "单位", "个人"],
            ["联系电话", "138 0000 0000", "电子邮箱", "zs@example.com"],
            ["与稿件关系", "本人/当事人"],
        ],
        ["声明：☑ 本人承诺以上信息真实、准确"],
    )
    extraction = extract_fields(parse_mail(docx_mail("申请表见附件。申请人：王五", form)))

    assert extraction.data == COMPLETE  # the form wins over the body's 申请人
    assert extraction.source == "docx"
    assert extraction.found_in["requester_name"] == "docx"


def test_docx_merged_cells_count_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "申请人"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "张三"
    table.cell(1, 0).text = "联系电话"
    table.cell(1, 1).text = "13800000000"
    buffer = io.BytesIO()
    document.save(buffer)

    data = extract_fields(parse_mail(docx_mail("见附件", buffer.getvalue()))).data
    assert data == {"requester_name": "张三", "requester_phone": "13800000000"}


def test_docx_fills_in_and_body_lines_add_what_it_lacks() -> None:
    form = build_docx([["稿件标题", "某地发生交通事故"]], [])
    extraction = extract_fields(parse_mail(docx_mail("联系电话：13800000000", form)))

    assert extraction.data == {"article_title": "某地发生交通事故", "requester_phone": "13800000000"}
    assert extraction.found_in == {"article_title": "docx", "requester_phone": "lines"}
    assert extraction.source == "docx"


def test_corrupt_docx_is_noted_not_raised() -> None:
    extraction = extract_fields(parse_mail(docx_mail("申请人：张三", b"PK not really a zip")))

    assert extraction.data == {"requester_name": "张三"}
    assert len(extraction.notes) == 1
    assert "申请表.docx" in extraction.notes[0]


def test_form_in_a_forwarded_message_is_found() -> None:
    inner = text_mail(FORM_LINES)
    outer = (
        b"Subject: Fwd: \r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nPlease see below.\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n"
    )
    assert extract_fields(parse_mail(outer)).data == COMPLETE


def test_form_forwarded_inline_below_a_forward_line_is_found() -> None:
    body = (
        "FYI\n\n---------- Forwarded message ---------\n"
        "From: 张三 <zs@example.com>\nDate: Fri, 6 Mar 2026 at 09:00\nSubject: 申请\nTo: <tips@example.com>\n\n"
        + FORM_LINES
    )
    assert extract_fields(parse_mail(text_mail(body))).data == COMPLETE


def test_reply_reads_only_the_new_text() -> None:
    body = "联系电话：13911112222\n\n在 2026年3月6日 10:00，编辑部 写道：\n> 申请人：张三\n> 联系电话：13800000000\n"
    data = extract_fields(parse_mail(text_mail(body, subject="Re: 更正申请", In_Reply_To="<x@corrigo>"))).data

    assert data == {"requester_phone": "13911112222"}


def test_mail_without_a_form() -> None:
    extraction = extract_fields(parse_mail(text_mail("你好，文章有错误，请联系我。")))

    assert (extraction.data, extraction.source) == ({}, "none")


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("申请人", "requester_name"),
        ("E-mail", "requester_email"),
        ("ＵＲＬ", "article_url"),
        ("原文链接", "article_url"),
        ("原文", "original_text"),
        ("3. Name *", "requester_name"),
        ("电话（必填）：", "requester_phone"),
        ("网站（请留空）", None),
        ("Content-Type", None),
    ],
)
def test_labels_are_read_from_the_schema(label: str, field: str | None) -> None:
    assert field_for_label(label) == field


# --- strip_quoted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("new\n\nOn Mon, 2 Mar 2026, Editor <e@x> wrote:\n> old\n> older", "new"),
        ("new\nOn Mon, 2 Mar 2026 at 10:00, Editor <e@x>\nwrote:\n> old", "new"),
        ("new\n在 2026年3月2日 星期一 10:00，编辑部 <e@x> 写道：\n> 旧", "new"),
        ("new\n-----Original Message-----\nFrom: e@x\nold", "new"),
        ("new\n------------------ 原始邮件 ------------------\n发件人: 编辑部\n旧", "new"),
        ("new\n\n发件人: 编辑部 <e@x>\n发送时间: 2026年3月2日 10:00\n收件人: 我\n主题: 旧\n\n旧内容", "new"),
        (
            "new\n________________________________\nFrom: Editor\nSent: Monday\nTo: me\nold",
            "new\n________________________________",
        ),
        ("new\n-- \n张三\n电话 123", "new"),
        ("> quoted first\nanswer below", "answer below"),
        ("On Monday, Editor wrote:\n> question\nmy answer\n", "my answer"),
        ("From: this is just a sentence\nand more", "From: this is just a sentence\nand more"),
    ],
)
def test_strip_quoted(text: str, kept: str) -> None:
    assert strip_quoted(text) == kept
