"""Every HTTP error, answered one way: RFC 9457 problem details (`application/problem+json`).

`problem_for` is the one place a domain error becomes an HTTP answer, for every HTTP function. The
body always has `type`, `title`, `status` and `detail`, and the `errors` list of `{field, message}`
the form and API clients read (one entry, `field` empty, when no field is at fault). `message`
repeats `detail` for clients written before these bodies. A few problems add members of their own
(`allowed` for an action the request's status does not allow).

Titles and details are in the caller's language (Chinese unless asked otherwise); `type` names the
problem for programs, and never changes with the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.dynamo import StoreError
from adapters.mailer import MailRejected
from adapters.raw_mail import RawMailMissing, RawMailStoreError
from corrigo.errors import (
    BadQuery,
    ConcurrentChange,
    Forbidden,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServiceUnavailable,
)
from corrigo.lifecycle import TransitionNotAllowed

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:corrigo:problem:"


class PayloadTooLarge(Exception):
    pass


class UnsupportedMediaType(Exception):
    pass


class InvalidBody(Exception):
    """A request body that cannot be read: every field at fault, with what is wrong with it."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems))
        self.problems = problems


class RouteNotFound(Exception):
    """No route answers this method and path."""


@dataclass(frozen=True)
class Problem:
    """One answer: its status, its kind (`type` is TYPE_PREFIX + kind), title and detail in zh and en."""

    status: int
    kind: str
    title: dict[str, str]
    detail: dict[str, str] | None = None  # None: the title says it all
    errors: tuple[dict[str, str], ...] = ()  # the fields at fault; none: one entry naming no field
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self, language: str) -> dict[str, Any]:
        language = language if language in ("zh", "en") else "zh"
        title = self.title[language]
        detail = (self.detail or self.title)[language]
        errors = list(self.errors) or [{"field": "", "message": detail}]
        return {
            "type": TYPE_PREFIX + self.kind,
            "title": title,
            "status": self.status,
            "detail": detail,
            "errors": errors,
            "message": detail,
            **self.extra,
        }


def _both(text: str) -> dict[str, str]:
    """A detail that is the same in both languages (a parameter's own message, an exception's text)."""
    return {"zh": text, "en": text}


NOT_FOUND = {"zh": "没有找到这份申请，或查询链接不正确", "en": "No such request, or the status link is not right"}
NO_ROUTE = {"zh": "没有这个地址", "en": "No such address"}
TOO_LARGE = {"zh": "提交的内容过大（上限 64 KB）", "en": "The submission is too large (64 KB at most)"}
MEDIA_TYPE = {"zh": "只接受 JSON 或表单提交", "en": "Send JSON or a form post"}
KEY_REUSED = {
    "zh": "这个 Idempotency-Key 已用于另一份申请",
    "en": "This Idempotency-Key was used for a different request",
}
CONFLICT = {"zh": "申请刚被他人修改，请重试", "en": "The request changed meanwhile; try again"}
RATE_LIMITED = {
    "zh": "提交过于频繁，您的内容未保存，请稍后再试",
    "en": "Too many requests from you just now; this one was not saved, please try again later",
}
UNAVAILABLE = {
    "zh": "服务暂时繁忙，您的内容未保存，请稍后重试",
    "en": "The service is busy and did not save your submission; please try again shortly",
}
FORBIDDEN = {"zh": "无权执行此操作", "en": "You may not do that"}
TRANSITION = {"zh": "当前状态下不能执行此操作", "en": "That action is not allowed in the request's current status"}
INVALID = {"zh": "提交的内容有误", "en": "Some fields need attention"}
BAD_PARAMETER = {"zh": "请求参数无法读取", "en": "A parameter cannot be read"}
MAIL_REFUSED = {
    "zh": "邮件服务拒收了这封邮件，请检查收件地址",
    "en": "The mail service refused the message; check the address",
}
UNHANDLED = {"zh": "无法处理这个请求", "en": "The request cannot be handled"}
INTERNAL = {
    "zh": "服务出错，已通知运维人员，请稍后重试",
    "en": "Something went wrong; the operators were told. Please try again later",
}


def problem_for(exc: Exception) -> Problem:
    """The answer to ``exc``. Anything not foreseen is a 500 with the same body (the log has the rest)."""
    if isinstance(exc, InvalidRequest):
        errors = tuple(error.as_dict() for error in exc.errors)
        return Problem(400, "invalid-request", INVALID, errors=errors)
    if isinstance(exc, InvalidBody):
        errors = tuple({"field": name, "message": message} for name, message in exc.problems)
        return Problem(400, "invalid-request", INVALID, _both(str(exc)), errors)
    if isinstance(exc, BadQuery):
        return Problem(
            400, "bad-parameter", BAD_PARAMETER, _both(str(exc)), ({"field": exc.parameter, "message": exc.message},)
        )
    if isinstance(exc, Forbidden):
        return Problem(403, "forbidden", FORBIDDEN, _both(str(exc)))
    if isinstance(exc, NotFound):
        return Problem(404, "not-found", NOT_FOUND)
    if isinstance(exc, RouteNotFound):
        return Problem(404, "no-route", NO_ROUTE)
    if isinstance(exc, TransitionNotAllowed):
        allowed = [action.value for action in exc.allowed]
        extra = {"action": exc.action.value, "current_status": exc.current.value, "allowed": allowed}
        return Problem(409, "action-not-allowed", TRANSITION, _both(str(exc)), extra=extra)
    if isinstance(exc, ConcurrentChange):
        return Problem(409, "concurrent-change", CONFLICT)
    if isinstance(exc, PayloadTooLarge):
        return Problem(413, "too-large", TOO_LARGE)
    if isinstance(exc, UnsupportedMediaType):
        return Problem(415, "unsupported-media-type", MEDIA_TYPE)
    if isinstance(exc, IdempotencyKeyReused):
        return Problem(422, "idempotency-key-reused", KEY_REUSED)
    if isinstance(exc, RateLimited):
        return Problem(429, "rate-limited", RATE_LIMITED, headers={"Retry-After": str(exc.retry_after_seconds)})
    if isinstance(exc, MailRejected):
        return Problem(502, "mail-refused", MAIL_REFUSED)
    if isinstance(exc, ServiceUnavailable):
        return Problem(503, "unavailable", UNAVAILABLE, headers={"Retry-After": str(exc.retry_after_seconds)})
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 600:  # Powertools' own errors (405, …)
        return Problem(status, f"http-{status}", UNHANDLED, _both(str(getattr(exc, "msg", "") or exc)))
    if isinstance(exc, StoreError | RawMailStoreError | RawMailMissing):
        # Not transient (a bug or a misconfiguration), but the caller's answer is the same: nothing
        # was saved, try again later; never a bare 500. The log and the alarm tell the operators.
        return Problem(503, "unavailable", UNAVAILABLE, headers={"Retry-After": "60"})
    return Problem(500, "internal", INTERNAL)
