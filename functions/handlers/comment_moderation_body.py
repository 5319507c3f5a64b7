"""What the moderators' API reads from a request body, each field checked: InvalidBody (400) names
every field at fault, in the words the editors' page shows (zh, then en)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from corrigo.comments.model import PenaltyLevel, ReasonCode
from corrigo.comments.moderation import BULK_MAX, NOTE_MAX, PENALTY_MAX_DAYS, REASON_MAX, BulkAction, parse_reason
from handlers.problems import InvalidBody

REASONS = ", ".join(code.value for code in ReasonCode)


def _object(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw and raw.strip() else {}
    except json.JSONDecodeError:
        raise InvalidBody([("body", "请提交 JSON 对象 / must be a JSON object")]) from None
    if not isinstance(data, dict):
        raise InvalidBody([("body", "请提交 JSON 对象 / must be a JSON object")])
    return data


def _text(data: dict[str, Any], name: str, limit: int, problems: list[tuple[str, str]], required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append((name, "须为文字 / must be text"))
        return ""
    value = value.strip()
    if required and not value:
        problems.append((name, "必填 / is required"))
    elif len(value) > limit:
        problems.append((name, f"最多 {limit} 字 / at most {limit} characters"))
    return value


def _reason(data: dict[str, Any], problems: list[tuple[str, str]]) -> ReasonCode | None:
    code = parse_reason(data.get("reason_code"))
    if code is None:
        problems.append(("reason_code", f"请选择一个理由 / must be one of {REASONS}"))
    return code


def _days(data: dict[str, Any], name: str, problems: list[tuple[str, str]]) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PENALTY_MAX_DAYS:
        problems.append((name, f"须为 1 至 {PENALTY_MAX_DAYS} 的整数 / a whole number from 1 to {PENALTY_MAX_DAYS}"))
        return None
    return value


def _done(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise InvalidBody(problems)


@dataclass(frozen=True)
class Rejection:
    reason: ReasonCode
    note: str


def approval_note(raw: str | None) -> str:
    problems: list[tuple[str, str]] = []
    note = _text(_object(raw), "note", NOTE_MAX, problems)
    _done(problems)
    return note


def rejection(raw: str | None) -> Rejection:
    data = _object(raw)
    problems: list[tuple[str, str]] = []
    reason = _reason(data, problems)
    note = _text(data, "note", NOTE_MAX, problems)
    _done(problems)
    assert reason is not None
    return Rejection(reason, note)


@dataclass(frozen=True)
class Bulk:
    ids: list[str]
    action: BulkAction
    reason: ReasonCode | None


def bulk(raw: str | None) -> Bulk:
    data = _object(raw)
    problems: list[tuple[str, str]] = []
    ids = data.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        problems.append(("ids", "请至少选择一条评论 / must list at least one comment id"))
        ids = []
    elif len(ids) > BULK_MAX:
        problems.append(("ids", f"一次最多 {BULK_MAX} 条 / at most {BULK_MAX} at a time"))
    try:
        action: BulkAction | None = BulkAction(str(data.get("action", "")))
    except ValueError:
        action = None
        problems.append(("action", "须为 approve 或 reject / must be approve or reject"))
    reason = _reason(data, problems) if action is BulkAction.REJECT else None
    _done(problems)
    assert action is not None
    return Bulk(list(dict.fromkeys(ids)), action, reason)


@dataclass(frozen=True)
class PenaltyOrder:
    level: PenaltyLevel
    days: int | None
    reason: str


def penalty_order(raw: str | None) -> PenaltyOrder:
    data = _object(raw)
    problems: list[tuple[str, str]] = []
    try:
        level: PenaltyLevel | None = PenaltyLevel(str(data.get("level", "")))
    except ValueError:
        level = None
        problems.append(("level", "须为 warn、mute 或 ban / must be warn, mute or ban"))
    days = _days(data, "days", problems)
    reason = _text(data, "reason", REASON_MAX, problems, required=True)
    _done(problems)
    assert level is not None
    return PenaltyOrder(level, days, reason)


@dataclass(frozen=True)
class SettingsOrder:
    article_url: str
    open: bool
    close_after_days: int | None


def settings_order(raw: str | None, is_article: Any) -> SettingsOrder:
    data = _object(raw)
    problems: list[tuple[str, str]] = []
    url = _text(data, "article_url", 2000, problems, required=True)
    if url and not is_article(url):
        problems.append(
            ("article_url", "须为本网站稿件的完整网址 / must be the full address of an article on our site")
        )
    is_open = data.get("open")
    if not isinstance(is_open, bool):
        problems.append(("open", "须为 true 或 false / must be true or false"))
    days = _days(data, "close_after_days", problems)
    _done(problems)
    return SettingsOrder(url, bool(is_open), days)
