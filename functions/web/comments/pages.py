"""The readers' comment pages: the list fragment, the no-JS article page, the code page, the
author's view and short message pages; zh first, en. Templates are autoescaped: a comment's
``<script>`` is text. Times are Beijing time; no status value, reason code or id is shown as such."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from corrigo.comments.forms import APPEAL, COMMENT, REPORT, VERIFY
from corrigo.comments.model import Comment, CommentStatus, reason_label, status_label
from corrigo.schema import fields_by_name
from corrigo.validation import FieldError
from web.render import ASSETS, beijing_time

HERE = Path(__file__).resolve().parent

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "latest": "最新评论",
        "none": "还没有评论。",
        "more": "更多评论",
        "reply": "回复另一条评论",
        "reply_this": "回复",
        "replying": "您正在回复一条评论。",
        "report": "举报",
        "send_report": "提交举报",
        "page_title": "读者评论",
        "article": "稿件",
        "write": "发表评论",
        "submit": "提交评论",
        "review_note": "评论经编辑审核后发布（先审后发）。",
        "verify_intro": "发表评论前，请先验证手机号码（后台实名、前台自愿：页面只显示您的昵称）。",
        "send_code": "获取验证码",
        "code_intro": "验证码已通过短信发送到尾号 {last4} 的手机，10 分钟内有效。",
        "confirm": "验证",
        "errors_heading": "提交未成功，请修改以下 {count} 处：",
        "status_title": "我的评论",
        "status": "状态",
        "submitted": "提交时间",
        "reason": "未通过原因",
        "note": "编辑说明",
        "quiet": "现在是夜间审核暂停时段，您的评论将于 {until} 后审核。",
        "hidden": "多位读者举报了这条评论，编辑复核期间暂不显示。",
        "appeal_title": "申诉",
        "appeal_intro": "如果您认为评论不应被拒绝，可以申诉一次，由编辑重新审核。",
        "send_appeal": "提交申诉",
        "appealed": "您已于 {at} 提交申诉，编辑将重新审核。",
        "back": "返回评论页",
        "keep_link": "请保存本页链接，以便查看审核结果。",
        "reported": "感谢举报，编辑会尽快查看。",
        "verified": "手机号码已验证，现在可以发表评论。",
        "other_language": "English",
        "error_title": "无法完成操作",
    },
    "en": {
        "latest": "Latest comments",
        "none": "No comments yet.",
        "more": "More comments",
        "reply": "in reply to another comment",
        "reply_this": "Reply",
        "replying": "You are replying to a comment.",
        "report": "Report",
        "send_report": "Send report",
        "page_title": "Readers' comments",
        "article": "Article",
        "write": "Write a comment",
        "submit": "Post comment",
        "review_note": "Comments are published after an editor has reviewed them.",
        "verify_intro": "Before you comment, verify your mobile number (only your nickname is shown).",
        "send_code": "Send me a code",
        "code_intro": "We sent a code by text message to the number ending {last4}; it is valid for 10 minutes.",
        "confirm": "Verify",
        "errors_heading": "Not sent: please fix these {count} problems:",
        "status_title": "My comment",
        "status": "Status",
        "submitted": "Submitted",
        "reason": "Why it was not published",
        "note": "The editor's note",
        "quiet": "Comments are not reviewed at night; yours will be reviewed after {until}.",
        "hidden": "Several readers reported this comment; it is hidden while an editor looks at it again.",
        "appeal_title": "Appeal",
        "appeal_intro": "If you think your comment should not have been rejected, you may appeal once.",
        "send_appeal": "Send appeal",
        "appealed": "You appealed on {at}; an editor will review the comment again.",
        "back": "Back to the comments",
        "keep_link": "Keep this page's address to see the outcome of the review.",
        "reported": "Thank you; an editor will look at it.",
        "verified": "Your number is verified; you can comment now.",
        "other_language": "中文",
        "error_title": "That did not work",
    },
}


@cache
def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(ASSETS / "templates")]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["beijing_time"] = beijing_time
    environment.filters["q"] = lambda value: quote(str(value), safe="")
    return environment


def _render(name: str, language: str, **context: Any) -> str:
    other = "en" if language == "zh" else "zh"
    return str(_environment().get_template(name).render(lang=language, other=other, t=TEXT[language], **context))


def _labels(schema_file: str, language: str) -> dict[str, Any]:
    return {
        name: {"label": spec.label(language), "help": spec.help.get(language, ""), "max": spec.max_length}
        for name, spec in fields_by_name(schema_file).items()
    }


def report_reasons(language: str) -> list[tuple[str, str]]:
    spec = fields_by_name(REPORT)["reason"]
    return [(value, spec.option_label(value, language)) for value, _ in spec.options]


def embed_fields() -> dict[str, dict[str, Any]]:
    """What embed.js shows of the schemas, per language: labels, lengths, report reasons."""
    found: dict[str, dict[str, Any]] = {}
    for language in ("zh", "en"):
        comment, verify = _labels(COMMENT, language), _labels(VERIFY, language)
        found[language] = {
            "nickname": comment["nickname"],
            "text": comment["text"],
            "email": comment["email"],
            "phone": verify["phone"],
            "code": verify["code"],
            "reasons": report_reasons(language),
        }
    return found


def fragment(items: Iterable[Mapping[str, Any]], language: str, *, article_url: str, next_cursor: str | None) -> str:
    return _render(
        "fragment.html",
        language,
        items=list(items),
        article_url=article_url,
        next_cursor=next_cursor,
        reasons=report_reasons(language),
    )


def article_page(
    items: Iterable[Mapping[str, Any]],
    language: str,
    *,
    article_url: str,
    next_cursor: str | None,
    verified: bool,
    errors: Iterable[FieldError] = (),
    values: Mapping[str, Any] | None = None,
    notice: str = "",
) -> str:
    errors = list(errors)
    return _render(
        "article.html",
        language,
        items=list(items),
        article_url=article_url,
        next_cursor=next_cursor,
        verified=verified,
        errors=errors,
        by_field={e.field: e.message for e in errors},
        values=dict(values or {}),
        fields=_labels(COMMENT, language),
        phone=_labels(VERIFY, language)["phone"],
        reasons=report_reasons(language),
        notice=notice,
    )


def code_page(language: str, *, phone: str, return_url: str, errors: Iterable[FieldError] = ()) -> str:
    errors = list(errors)
    return _render(
        "code.html",
        language,
        phone=phone,
        last4=phone[-4:],
        return_url=return_url,
        errors=errors,
        code=_labels(VERIFY, language)["code"],
    )


def author_page(comment: Comment, language: str, *, token: str) -> str:
    status = comment.status
    return _render(
        "status.html",
        language,
        comment=comment,
        token=token,
        status_text=status_label(status, language),
        rejected=status is CommentStatus.REJECTED,
        reason=reason_label(comment.reason_code, language) if comment.reason_code else "",
        may_appeal=status is CommentStatus.REJECTED and not comment.appealed_at,
        appeal=_labels(APPEAL, language)["text"],
        quiet_until=beijing_time(comment.quiet_until)
        if comment.quiet_until and status is CommentStatus.PENDING
        else "",
        hidden=status is CommentStatus.REPORTED and comment.hidden,
    )


def author_document(comment: Comment, language: str) -> dict[str, Any]:
    """The author's view as JSON: the status as a value and as words, the reason in words."""
    return {
        "id": comment.id,
        "status": comment.status.value,
        "status_text": status_label(comment.status, language),
        "reason": reason_label(comment.reason_code, language) if comment.reason_code else None,
        "reason_code": comment.reason_code,
        "note": comment.reason_note,
        "quiet_until": comment.quiet_until if comment.status is CommentStatus.PENDING else None,
        "may_appeal": comment.status is CommentStatus.REJECTED and not comment.appealed_at,
        "created_at": comment.created_at,
        "nickname": comment.nickname,
        "text": comment.text,
        "article_url": comment.article_url,
    }


def message_page(language: str, *, title: str, lines: Iterable[str], back_url: str = "") -> str:
    return _render("message.html", language, title=title, lines=list(lines), back_url=back_url)
