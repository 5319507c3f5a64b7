"""The requester's pages: the form (built from the schema) and the status page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from corrigo.lifecycle import ACTION_LABELS, OUTCOME_LABELS, STATUS_LABELS, Action, AuditEvent, Outcome, Status
from corrigo.model import CorrectionRequest
from corrigo.schema import LANGUAGES, sections
from corrigo.validation import FieldError
from web.render import render_page

TEXT = {
    "zh": {
        "title": "新闻稿件修改申请",
        "intro": "如需就本网站稿件的内容、版权或其他事项与我们联系，请填写本表。所有标注 * 的项目均为必填。",
        "required": "必填",
        "submit": "提交申请",
        "errors_heading": "提交未成功，请修改以下 {count} 处：",
        "other_language": "English",
        "choose": "请选择",
        "status_title": "申请进度",
        "reference": "申请编号",
        "status": "当前状态",
        "outcome": "处理结果",
        "note": "说明",
        "history": "处理记录",
        "when": "时间",
        "what": "事项",
        "submitted": "提交时间",
        "article": "稿件",
        "keep_link": "请保存本页链接，以便随时查询进度。我们也已将链接发送到您的邮箱。",
        "new_request": "提交新的申请",
        "question": "编辑的问题",
        "your_answer": "您的回复",
        "send_answer": "提交回复",
    },
    "en": {
        "title": "Request a change to an article",
        "intro": "To contact us about an article's content, copyright or anything else, fill in this form. Every field marked * is required.",
        "required": "required",
        "submit": "Send request",
        "errors_heading": "Your request was not sent. Please fix {count} problem(s):",
        "other_language": "中文",
        "choose": "Choose…",
        "status_title": "Request status",
        "reference": "Reference",
        "status": "Status",
        "outcome": "Outcome",
        "note": "Note",
        "history": "History",
        "when": "When",
        "what": "What happened",
        "submitted": "Submitted",
        "article": "Article",
        "keep_link": "Keep this page's address to check on your request. We have emailed it to you too.",
        "new_request": "Make another request",
        "question": "The editor's question",
        "your_answer": "Your answer",
        "send_answer": "Send answer",
    },
}


def form_page(
    language: str,
    *,
    values: Mapping[str, Any] | None = None,
    errors: Iterable[FieldError] = (),
    domains: Iterable[str] = (),
    form_token: str = "",
) -> str:
    error_list = list(errors)
    return render_page(
        "form.html",
        lang=language,
        other_lang=next(code for code in LANGUAGES if code != language),
        text=TEXT[language],
        sections=sections(),
        values=dict(values or {}),
        errors={e.field: e for e in error_list},
        error_list=error_list,
        first_error=error_list[0].field if error_list else None,
        domains=list(domains),
        form_token=form_token,
    )


def _history(events: Iterable[AuditEvent], language: str) -> list[dict[str, str]]:
    return [
        {
            "at": e.at,
            "action": e.action.value,
            "label": ACTION_LABELS[e.action][language],
            "status": e.status_after.value,
        }
        for e in events
    ]


def status_document(request: CorrectionRequest, events: Iterable[AuditEvent], language: str) -> dict[str, Any]:
    """What a requester may see of their request: no internal notes, no screening details."""
    events = list(events)
    # While the requester is asked, the question itself (the editor wrote it to them anyway).
    asked = [e.detail for e in events if e.action is Action.ASK]
    question = asked[-1] if asked and request.status is Status.AWAITING_REQUESTER else None
    return {
        "question": question,
        "reference": request.reference,
        "status": request.status.value,
        "status_label": STATUS_LABELS[request.status][language],
        "outcome": request.outcome,
        "outcome_label": OUTCOME_LABELS[Outcome(request.outcome)][language] if request.outcome else None,
        "public_note": request.public_note,
        "request_type": request.request_type,
        "article_title": request.fields.get("article_title"),
        "article_url": request.fields.get("article_url"),
        "submitted_at": request.created_at,
        "history": _history(events, language),
    }


def status_page(
    request: CorrectionRequest, events: Iterable[AuditEvent], language: str, token: str | None = None
) -> str:
    doc = status_document(request, events, language)
    # The reply form posts back with the same capability the page was opened with.
    answer_url = (
        f"/requests/{request.reference}/answer?token={token}" if token and doc["question"] is not None else None
    )
    return render_page("status.html", lang=language, text=TEXT[language], doc=doc, answer_url=answer_url)
