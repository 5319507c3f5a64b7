"""What the comments' HTTP function reads from a request and how it shapes its answers: the
commenter's token (Bearer or cookie), browser form posts versus scripts, the comments' problems
(RFC 9457, through handlers.problems),
and CORS for the embed script on the site's article pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from corrigo.comments.errors import ActionNotAllowed, CommenterRestricted, CommentsClosed, NotVerified
from corrigo.errors import NotFound
from handlers.http import is_form_post
from handlers.problems import Problem, problem_for
from web.render import beijing_time

COOKIE = "corrigo_commenter"


def commenter_token(event: Any) -> str | None:
    """``Authorization: Bearer …``, else the cookie."""
    authorization = str(event.headers.get("authorization", ""))
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    for cookie in event.cookies or []:
        name, _, value = cookie.partition("=")
        if name.strip() == COOKIE:
            return value.strip() or None
    return None


def source_ip(event: Any) -> str:
    return str(event.request_context.http.source_ip or "")


def answers_page(event: Any) -> bool:
    """A browser's own form post gets a page (or a redirect); a script's form post asks for JSON."""
    return is_form_post(event) and "application/json" not in str(event.headers.get("accept", "")).lower()


def query(event: Any) -> dict[str, str]:
    return dict(event.query_string_parameters or {})


def status_url(comment_id: str, token: str) -> str:
    return f"/comments/{comment_id}?token={quote(token, safe='')}"


def commenter_cookie(token: str, max_age: int, *, secure: bool) -> Cookie:
    return Cookie(
        COOKIE,
        token,
        path="/",
        secure=secure,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.LAX_MODE,
    )


def see_other(location: str, cookies: list[Cookie] | None = None) -> Response:
    return Response(303, "text/plain; charset=utf-8", "", headers={"Location": location}, cookies=cookies)


NOT_VERIFIED = {"zh": "请先验证手机号码再发表评论", "en": "Verify your mobile number before commenting"}
CLOSED = {"zh": "这篇稿件的评论已关闭", "en": "Comments on this article are closed"}
MUTED = {"zh": "您已被禁言至 {until}，暂时不能发表评论", "en": "You may not comment until {until}"}
MUTED_OPEN = {"zh": "您已被禁言，暂时不能发表评论", "en": "You may not comment for now"}
BANNED = {"zh": "您已被禁止发表评论", "en": "You may no longer comment here"}
NOT_NOW = {"zh": "这条评论当前不能进行此操作", "en": "That cannot be done to this comment now"}
NO_COMMENT = {"zh": "没有找到这条评论，或查询链接不正确", "en": "No such comment, or the link is not right"}


def comment_problem(exc: Exception) -> Problem:
    """The comments' own refusals as problem details (everything else: handlers.problems.problem_for)."""
    if isinstance(exc, NotVerified):
        return Problem(401, "commenter-not-verified", NOT_VERIFIED)
    if isinstance(exc, CommentsClosed):
        return Problem(403, "comments-closed", CLOSED)
    if isinstance(exc, CommenterRestricted):
        if exc.level == "ban":
            return Problem(403, "commenter-banned", BANNED)
        if exc.until:
            until = beijing_time(exc.until)
            return Problem(403, "commenter-muted", {k: v.format(until=until) for k, v in MUTED.items()})
        return Problem(403, "commenter-muted", MUTED_OPEN)
    if isinstance(exc, ActionNotAllowed):
        return Problem(409, "comment-action-not-allowed", NOT_NOW, extra={"action": exc.action})
    if isinstance(exc, NotFound):
        return Problem(404, "not-found", NO_COMMENT)
    return problem_for(exc)


def with_cors(event: dict[str, Any], result: dict[str, Any], domains: tuple[str, ...]) -> dict[str, Any]:
    """The embed script runs on the site's article pages, another origin of the same site: answer
    those origins (credentials included, for the commenter's cookie), and no other."""
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    origin = str(headers.get("origin", ""))
    host = (urlsplit(origin).hostname or "").lower()
    if origin and any(host == d or host.endswith("." + d) for d in domains):
        answer = result.setdefault("headers", {})
        vary = ", ".join(v for v in (answer.get("Vary", ""), "Origin") if v)
        answer.update({"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": vary})
    return result
