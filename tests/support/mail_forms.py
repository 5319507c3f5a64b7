"""Mails people send to the contact mailbox, built the way their clients build them (for the
integration and e2e tests of email intake)."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import make_msgid

INTAKE = "lxwm@news.example.cn"

# label (as on the portal's Word form) -> value, for an article on the test site.
FORM = [
    ("申请类型", "更正"),
    ("稿件链接", "https://news.example.cn/2025/03/05/traffic.html"),
    ("稿件标题", "某地发生交通事故"),
    ("发布日期", "2025-03-05"),
    ("原文内容", "事故造成三人受伤。"),
    ("修改内容", "事故造成两人受伤。"),
    ("修改理由", "交警通报写明两人受伤，附通报截图。"),
    ("申请人", "张三"),
    ("单位", "个人"),
    ("联系电话", "138 0000 0000"),
    ("电子邮箱", "zs@example.org"),
    ("与稿件关系", "当事人"),
    ("声明", "本人承诺以上信息真实、准确"),
]


def form(email: str = "zs@example.org") -> list[tuple[str, str]]:
    """The form, filled in by `email`. Other senders write about another article, so that tests sharing
    one stack are not linked to each other as duplicates (same article, same passage)."""
    article = FORM[1][1] if email == "zs@example.org" else FORM[1][1].replace(".html", f"-{email.split('@')[0]}.html")
    values = {"电子邮箱": email, "稿件链接": article}
    return [(label, values.get(label, value)) for label, value in FORM]


def form_lines(skip: tuple[str, ...] = (), email: str = "zs@example.org") -> str:
    lines = "\n".join(f"{label}：{value}" for label, value in form(email) if label not in skip)
    return "编辑您好：\n\n" + lines + "\n\n谢谢\n"


def text_mail(
    body: str,
    *,
    sender: str = "zs@example.org",
    subject: str = "更正申请",
    charset: str = "utf-8",
    declared: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A plain-text mail with an 8-bit body (Outlook and phones send GBK bytes labelled GB2312)."""
    head = {
        "From": sender,
        "To": INTAKE,
        "Subject": subject,
        "Message-ID": make_msgid(domain="example.org"),
        "Date": "Wed, 05 Mar 2025 10:00:00 +0800",
        "MIME-Version": "1.0",
        **(headers or {}),
        "Content-Type": f"text/plain; charset={declared or charset}",
        "Content-Transfer-Encoding": "8bit",
    }
    from email.header import Header

    lines = []
    for name, value in head.items():
        encoded = Header(value, "utf-8").encode() if not value.isascii() else value
        lines.append(f"{name}: {encoded}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body.replace("\n", "\r\n").encode(charset)


def gbk_form_mail(sender: str = "zs@example.org", email: str = "zs@example.org") -> bytes:
    return text_mail(form_lines(email=email), sender=sender, charset="gbk", declared="GB2312")


def html_table_mail(sender: str = "zs@example.org", email: str = "zs@example.org") -> bytes:
    rows = "\n".join(f"<tr><td><b>{label}</b></td><td>{value}</td></tr>" for label, value in form(email))
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, INTAKE, "稿件修改申请表"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(
        f"<html><body><p>您好，申请表如下：</p><table border=1>{rows}</table></body></html>",
        subtype="html",
        cte="quoted-printable",  # as Outlook sends it: SMTP lines stay short
    )
    return as_smtp_bytes(message)


def as_smtp_bytes(message: EmailMessage) -> bytes:
    """CRLF line ends, as mail clients put on the wire (EmailMessage's default policy writes LF)."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def docx_form(email: str = "zs@example.org") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("新闻稿件修改申请表")
    table = document.add_table(rows=0, cols=2)
    for label, value in form(email):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_form_mail(sender: str = "zs@example.org", email: str = "zs@example.org") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, INTAKE, "修改申请（附申请表）"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("您好，申请表见附件。\n")
    message.add_attachment(
        docx_form(email),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="新闻稿件修改申请表.docx",
    )
    return as_smtp_bytes(message)


def reply_mail(
    original: EmailMessage | dict[str, str],
    body: str,
    *,
    sender: str = "zs@example.org",
    headers: dict[str, str] | None = None,
    subject: str | None = None,
) -> bytes:
    """A reply to one of our mails: Re: subject, In-Reply-To/References naming its Message-ID."""
    their_id = original["Message-ID"] if "Message-ID" in original else original["message_id"]
    message = EmailMessage()
    message["From"], message["To"] = sender, INTAKE
    message["Subject"] = (
        subject if subject is not None else "Re: " + str(original.get("Subject") or original.get("subject"))
    )
    message["Message-ID"] = make_msgid(domain="example.org")
    message["In-Reply-To"] = their_id
    message["References"] = their_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return as_smtp_bytes(message)
