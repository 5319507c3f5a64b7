"""The author's mail about a moderator's decision on their comment (sent only when they gave an
address). Pure: the templates' renderer and the time are passed in."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from corrigo.comments.model import Comment, CommentStatus, reason_label, status_label
from corrigo.notifications import MailContext, one_line

KIND = "comment_decided"
EXCERPT = 300  # characters of the comment quoted back to its author


def compose_outcome(comment: Comment, context: MailContext, *, now: datetime, unique: str) -> EmailMessage:
    """The decision on ``comment`` (approved or rejected, with the reason in words), to its author."""
    language = comment.language if comment.language in ("zh", "en") else "zh"
    rejected = comment.status is CommentStatus.REJECTED
    text = comment.text if len(comment.text) <= EXCERPT else comment.text[:EXCERPT] + "…"
    body = context.render(
        f"{KIND}.{language}.txt",
        comment=comment,
        status_label=status_label(comment.status, language),
        reason=reason_label(comment.reason_code, language) if rejected else "",
        excerpt=text,
    )
    subject, _, rest = body.partition("\n")
    domain = parseaddr(context.sender_address)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = one_line(context.sender_address)
    message["To"] = Address(addr_spec=one_line(comment.email or ""))
    message["Subject"] = one_line(subject.removeprefix("Subject:").strip())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{comment.id}.{KIND}.{unique}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "zh-CN" if language == "zh" else "en"
    message["X-Corrigo-Comment"] = comment.id
    message.set_content(rest.lstrip("\n"), charset="utf-8")
    return message
