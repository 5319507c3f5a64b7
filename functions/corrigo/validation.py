"""Validate a request against the schema and explain every problem in the requester's language.

The schema is checked by corrigo.schema_check (the keywords our schemas use, without jsonschema's
import; tests compare it with jsonschema), built once per process. Four rules the JSON Schema
keywords cannot say are schema keywords of our own, implemented here: ``x-site-url`` (the article
is on one of the site's domains), ``x-not-future``, ``x-one-line`` (no line breaks or control
characters: corrigo.oneline), and ``x-plain-text`` (line breaks allowed, no other control
characters: a comment's text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from corrigo.oneline import is_one_line, is_plain_text
from corrigo.schema import SCHEMA_FILE, Field, fields_by_name, load_schema
from corrigo.schema_check import KeywordCheck, SchemaChecker, SchemaError

# China has one time zone and no daylight saving: "today" for a publication date is Beijing's.
SITE_TIMEZONE = timezone(timedelta(hours=8), "Asia/Shanghai")

_TRUE_WORDS = {"true", "on", "1", "yes", "y", "是", "同意", "确认", "checked", "x", "√", "☑"}
_FALSE_WORDS = {"false", "off", "0", "no", "n", "否", ""}
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)

# Which problem to report when one field breaks several rules: the one the person should fix first.
_PRIORITY = [
    "required",
    "type",
    "const",
    "enum",
    "x-one-line",
    "x-plain-text",
    "minLength",
    "maxLength",
    "format",
    "pattern",
    "x-site-url",
    "x-not-future",
    "additionalProperties",
]

_MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "此项必填", "en": "is required"},
    "type": {"zh": "格式不正确", "en": "has the wrong type"},
    "const": {"zh": "取值不正确", "en": "has an unexpected value"},
    "enum": {"zh": "请从以下选项中选择：{options}", "en": "must be one of: {options}"},
    "minLength": {"zh": "至少需要 {limit} 个字符", "en": "must be at least {limit} characters long"},
    "maxLength": {
        "zh": "不能超过 {limit} 个字符（现有 {actual} 个）",
        "en": "must be at most {limit} characters long (it has {actual})",
    },
    "format:email": {"zh": "请填写有效的电子邮箱地址", "en": "must be a valid email address"},
    "format:uri": {
        "zh": "请填写以 http:// 或 https:// 开头的完整网址",
        "en": "must be a full address starting with http:// or https://",
    },
    "format:date": {"zh": "请按 YYYY-MM-DD 格式填写真实日期", "en": "must be a real date written YYYY-MM-DD"},
    "pattern": {"zh": "格式不正确", "en": "is not in the expected format"},
    "x-site-url": {"zh": "必须是本网站（{domains}）的稿件链接", "en": "must be an article on our site ({domains})"},
    "x-not-future": {"zh": "不能晚于今天", "en": "cannot be in the future"},
    "x-one-line": {
        "zh": "只能填写一行，不能包含换行或控制字符",
        "en": "must be a single line, without line breaks or control characters",
    },
    "x-plain-text": {"zh": "不能包含控制字符", "en": "must not contain control characters"},
    "additionalProperties": {"zh": "不是本表的字段", "en": "is not a field of this form"},
    "body": {"zh": "请求内容必须是一个 JSON 对象", "en": "the request body must be a JSON object"},
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, ready to show beside it or to list in an API answer."""

    field: str
    label: str
    problem: str
    language: str

    @property
    def message(self) -> str:
        if not self.label:
            return self.problem
        return f"{self.label}：{self.problem}" if self.language == "zh" else f"{self.label} {self.problem}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class Validation:
    data: dict[str, Any]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _is_site_url(value: str, domains: tuple[str, ...]) -> bool:
    host = (urlsplit(value).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def _check_uri(value: object) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_email(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL.match(value))


def _check_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# The checks of the formats the schemas name, and of our own keywords (each enabled by `true`), as
# corrigo.schema_check runs them; tests/unit/core/test_schema_check.py gives jsonschema the same ones.
FORMATS: dict[str, Callable[[Any], bool]] = {"email": _check_email, "uri": _check_uri, "date": _check_date}


def keyword_checks(domains: tuple[str, ...]) -> dict[str, KeywordCheck]:
    def site_url(enabled: Any, value: Any) -> bool:
        return not (enabled and isinstance(value, str) and _check_uri(value) and not _is_site_url(value, domains))

    def not_future(enabled: Any, value: Any) -> bool:
        is_date = enabled and isinstance(value, str) and _check_date(value)
        return not (is_date and date.fromisoformat(value) > datetime.now(SITE_TIMEZONE).date())

    def one_line(enabled: Any, value: Any) -> bool:
        return not (enabled and isinstance(value, str) and not is_one_line(value))

    def plain_text(enabled: Any, value: Any) -> bool:
        return not (enabled and isinstance(value, str) and not is_plain_text(value))

    return {"x-site-url": site_url, "x-not-future": not_future, "x-one-line": one_line, "x-plain-text": plain_text}


@cache
def _validator(domains: tuple[str, ...], schema_file: str = SCHEMA_FILE) -> SchemaChecker:
    return SchemaChecker(load_schema(schema_file), FORMATS, keyword_checks(domains))


def warm_up(domains: Iterable[str]) -> None:
    """Build the validator now (at cold start) rather than on the first request."""
    _validator(tuple(domains))


def normalise(raw: Mapping[str, Any], schema_file: str = SCHEMA_FILE) -> dict[str, Any]:
    """Trim text, turn form-style booleans into booleans, and drop empty values.

    An empty or blank value counts as missing, so the person is told the field is required.
    """
    by_name = fields_by_name(schema_file)
    data: dict[str, Any] = {}
    for key, value in raw.items():
        spec = by_name.get(key)
        if isinstance(value, str):
            value = value.strip()
            if spec is not None and spec.is_boolean:
                lowered = value.lower()
                if lowered in _TRUE_WORDS:
                    value = True
                elif lowered in _FALSE_WORDS:
                    continue
            elif value == "":
                continue
            elif spec is not None and spec.name in ("requester_email", "article_url"):
                value = value.replace("\u3000", "")
        if value is None:
            continue
        data[key] = value
    return data


def _problem(keyword: str, spec: Field | None, error: SchemaError, language: str, domains: tuple[str, ...]) -> str:
    custom = (spec.rules.get("x-messages", {}) if spec else {}).get(keyword)
    if custom:
        return str(custom[language])
    if keyword == "format":
        keyword = f"format:{error.validator_value}"
    template = _MESSAGES.get(keyword, _MESSAGES["type"])[language]
    options = ""
    if spec is not None and spec.options:
        options = (
            "、".join(f"{spec.option_label(v, language)}（{v}）" for v, _ in spec.options)
            if language == "zh"
            else ", ".join(f"{v} ({spec.option_label(v, language)})" for v, _ in spec.options)
        )
    actual = len(error.instance) if isinstance(error.instance, str) else 0
    return template.format(
        options=options,
        limit=error.validator_value,
        actual=actual,
        domains="、".join(domains) if language == "zh" else ", ".join(domains),
    )


def validate(
    raw: Mapping[str, Any] | Any, *, domains: Iterable[str], language: str = "zh", schema_file: str = SCHEMA_FILE
) -> Validation:
    """Check a request (or, by ``schema_file``, another schema's document, such as a comment); name
    every field with a problem, one problem per field, in schema order."""
    domain_tuple = tuple(domains)
    if not isinstance(raw, Mapping):
        return Validation({}, [FieldError("", "", _MESSAGES["body"][language], language)])
    data = normalise(raw, schema_file)
    by_name = fields_by_name(schema_file)
    found: dict[str, tuple[int, FieldError]] = {}
    for error in _validator(domain_tuple, schema_file).iter_errors(data):
        keyword = error.validator
        if keyword == "required":
            names = [n for n in error.validator_value if n not in data]
        elif keyword == "additionalProperties":
            names = [n for n in data if n not in by_name]
        else:
            names = [str(error.path[0])] if error.path else [""]
        rank = _PRIORITY.index(keyword) if keyword in _PRIORITY else len(_PRIORITY)
        for name in names:
            spec = by_name.get(name)
            label = spec.label(language) if spec else name
            problem = _problem(keyword, spec, error, language, domain_tuple)
            if name not in found or rank < found[name][0]:
                found[name] = (rank, FieldError(name, label, problem, language))
    order = {name: i for i, name in enumerate(load_schema(schema_file)["properties"])}
    errors = [e for _, e in sorted(found.values(), key=lambda item: order.get(item[1].field, len(order)))]
    return Validation(data, errors)
