"""Screening: between `received` and `queued`, decide whether a request deserves an editor's time.

Each rule that fires adds a finding (rule name, score, an explanation in Chinese and English); the
scores add up to a verdict: ``pass`` → queued, ``suspect`` → quarantined with its reasons, ``spam``
→ quarantined, hidden from the default views and not acknowledged. The report is stored on the
request so an editor reads exactly why. Pure: what the channels knew about a submission (the form
token, SES's verdicts, the classifier's answer) comes in as ``Evidence``.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from corrigo.classifier import Classification
from corrigo.formtoken import TokenCheck, TokenState
from corrigo.schema import free_text_fields
from corrigo.wordlists import WordList

LISTS = Path(__file__).with_name("lists")
# The fields a person writes freely, name and organisation included: where spam, links and abuse
# show up (a name is quoted in emails and shown on the editors' page).
FREE_TEXT_FIELDS = free_text_fields()
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。）)]+", re.IGNORECASE)


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 (a verdict, not a password)
    SUSPECT = "suspect"
    SPAM = "spam"


@dataclass(frozen=True)
class Finding:
    rule: str
    score: int
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "score": self.score, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class ScreeningReport:
    verdict: Verdict
    score: int
    findings: tuple[Finding, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(f.rule for f in self.findings)

    def summary(self, language: str = "en") -> str:
        """One line for the audit event: the verdict and each reason."""
        reasons = "; ".join(f"{f.zh if language == 'zh' else f.en} (+{f.score})" for f in self.findings)
        return f"{self.verdict.value} ({self.score}){': ' + reasons if reasons else ''}"

    def as_dict(self) -> dict[str, Any]:
        """As stored on the request (integers only: DynamoDB's serializer takes no floats)."""
        return {"verdict": self.verdict.value, "score": self.score, "findings": [f.as_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningReport:
        findings = tuple(
            Finding(str(f.get("rule", "")), int(f.get("score", 0)), str(f.get("zh", "")), str(f.get("en", "")))
            for f in data.get("findings", ())
        )
        return cls(Verdict(str(data.get("verdict", "pass"))), int(data.get("score", 0)), findings)


@dataclass(frozen=True)
class Thresholds:
    """Operators tune these through the `ScreeningThresholds` template parameter."""

    suspect: int = 3  # a total score from which a request is held for an editor's check
    spam: int = 8  # … and from which it is certain spam
    min_seconds: int = 5  # fewer seconds between the form page and its submission: a bot
    max_links: int = 3  # more links than this in the free text
    link_share: int = 50  # percent of the free text that is links
    repeat_share: int = 40  # percent: compressed size below this share of the original is repetition
    toxicity: int = 70  # classifier's 0–100 toxicity from which it counts as abuse

    @classmethod
    def parse(cls, text: str) -> Thresholds:
        """``suspect=3,spam=8,min_seconds=5`` …; unknown names or non-integers raise ValueError."""
        values: dict[str, int] = {}
        known = set(cls.__dataclass_fields__)
        for part in (p.strip() for p in text.split(",") if p.strip()):
            name, _, raw = part.partition("=")
            name = name.strip()
            if name not in known:
                raise ValueError(f"unknown screening threshold {name!r} (known: {', '.join(sorted(known))})")
            values[name] = int(raw.strip())
        thresholds = cls(**values)
        if not 0 < thresholds.suspect <= thresholds.spam:
            raise ValueError("screening thresholds need 0 < suspect <= spam")
        return thresholds


@dataclass(frozen=True)
class ScreeningConfig:
    thresholds: Thresholds = field(default_factory=Thresholds)
    banned_words: WordList = field(default_factory=WordList)
    disposable_domains: frozenset[str] = frozenset()


@cache
def shipped_banned_words() -> WordList:
    return WordList.read(LISTS / "banned_words.txt")


@cache
def shipped_disposable_domains() -> frozenset[str]:
    """Domain names, compared as written (lower case, no fold: a look-alike domain is another domain)."""
    text = (LISTS / "disposable_domains.txt").read_text("utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def config_from(env: Mapping[str, str]) -> ScreeningConfig:
    """The shipped lists plus the operators' additions (`BANNED_WORDS`, comma-separated)."""
    extra = WordList(w.strip() for w in env.get("BANNED_WORDS", "").split(","))
    return ScreeningConfig(
        thresholds=Thresholds.parse(env.get("SCREENING_THRESHOLDS", "")),
        banned_words=shipped_banned_words() + extra,
        disposable_domains=shipped_disposable_domains(),
    )


@dataclass(frozen=True)
class MailEvidence:
    """What SES and the mail itself said (services.mail_intake stores it as the request's source.mail)."""

    sender: str = ""  # the envelope sender (SES mail.source), else the From address
    verdicts: Mapping[str, str] = field(default_factory=dict)  # spam, virus, spf, dkim, dmarc: PASS/FAIL/GRAY…


@dataclass(frozen=True)
class Evidence:
    channel: str = "api"
    honeypot: bool = False
    form_token: TokenCheck | None = None
    mail: MailEvidence | None = None
    classification: Classification | None = None


def _whole(value: object) -> int | None:
    """A stored number (DynamoDB hands back Decimal) as an int; None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).split(".")[0])
    except (TypeError, ValueError):
        return None


def evidence_from_source(
    channel: str, flags: Iterable[str], source: Mapping[str, Any], classification: Classification | None = None
) -> Evidence:
    """Evidence from what intake stored on the request (``source``), whatever the channel."""
    form = source.get("form")
    token = None
    if isinstance(form, Mapping) and form.get("state"):
        try:
            state = TokenState(str(form["state"]))
        except ValueError:
            state = TokenState.INVALID
        token = TokenCheck(state, _whole(form.get("age_seconds")))
    mail = source.get("mail")
    mail_evidence = None
    if isinstance(mail, Mapping):
        verdicts = mail.get("verdicts")
        mail_evidence = MailEvidence(
            sender=str(mail.get("envelope_from") or mail.get("from") or ""),
            verdicts={str(k): str(v).upper() for k, v in verdicts.items()} if isinstance(verdicts, Mapping) else {},
        )
    return Evidence(
        channel=channel,
        honeypot="honeypot" in tuple(flags),
        form_token=token,
        mail=mail_evidence,
        classification=classification,
    )


# ---- the rules ------------------------------------------------------------------------------------


def _free_text(fields: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(fields[name]) for name in FREE_TEXT_FIELDS if isinstance(fields.get(name), str)}


def _honeypot(evidence: Evidence) -> list[Finding]:
    if not evidence.honeypot:
        return []
    return [Finding("honeypot", 10, "填写了对真人隐藏的陷阱字段（机器人）", "filled in the hidden trap field (a bot)")]


def _form_timing(evidence: Evidence, t: Thresholds) -> list[Finding]:
    check = evidence.form_token
    if evidence.channel != "web" or check is None:
        return []
    if check.state is TokenState.MISSING:
        return [Finding("form_token_missing", 3, "网页表单提交缺少表单令牌", "form post without the form's token")]
    if check.state is TokenState.INVALID:
        return [Finding("form_token_invalid", 4, "表单令牌无效或被篡改", "form token forged or altered")]
    if check.state is TokenState.EXPIRED:
        return [Finding("form_token_expired", 1, "表单页面打开已超过 7 天", "form page opened more than 7 days before")]
    if check.state is TokenState.VALID and check.age_seconds is not None and check.age_seconds < t.min_seconds:
        return [
            Finding(
                "too_fast",
                4,
                f"打开表单后 {check.age_seconds} 秒即提交（少于 {t.min_seconds} 秒）",
                f"submitted {check.age_seconds} s after the form was served (under {t.min_seconds} s)",
            )
        ]
    return []


def _links(texts: dict[str, str], t: Thresholds) -> list[Finding]:
    joined = " ".join(texts.values())
    links = _URL.findall(joined)
    found: list[Finding] = []
    if len(links) > t.max_links:
        found.append(
            Finding(
                "many_links",
                min(2 + (len(links) - t.max_links) // 3, 5),
                f"正文含 {len(links)} 个链接（上限 {t.max_links}）",
                f"{len(links)} links in the text (more than {t.max_links})",
            )
        )
    length = len(joined.strip())
    # One or two links as evidence are normal, even in a short text; a text made of links is not.
    if len(links) >= 3 and 100 * sum(map(len, links)) >= t.link_share * length:
        found.append(Finding("link_density", 3, "正文大部分是链接", "the text is mostly links"))
    return found


def _repetition(texts: dict[str, str], t: Thresholds) -> list[Finding]:
    """Repeated text compresses well: a flood of the same phrase, or the same text in every field."""
    joined = " ".join(texts.values())
    data = joined.encode("utf-8")
    if len(data) < 200:
        return []
    share = 100 * len(zlib.compress(data, 6)) // len(data)
    lines = [line.strip() for line in joined.splitlines() if len(line.strip()) >= 10]
    repeated_line = bool(lines) and Counter(lines).most_common(1)[0][1] >= 3
    if share < t.repeat_share or repeated_line:
        return [Finding("repeated_text", 2, "正文大量重复", "the text repeats itself")]
    return []


def _banned(texts: dict[str, str], config: ScreeningConfig) -> list[Finding]:
    hits = config.banned_words.found_in(" ".join(texts.values()))
    if not hits:
        return []
    shown = "、".join(hits[:5])
    return [
        Finding("banned_words", min(4 * len(hits), 12), f"含禁用词：{shown}", f"banned words: {', '.join(hits[:5])}")
    ]


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def _disposable(fields: Mapping[str, Any], config: ScreeningConfig) -> list[Finding]:
    domain = email_domain(str(fields.get("requester_email", "")))
    if not domain:
        return []
    labels = domain.split(".")
    # The domain itself or any parent (a subdomain of a throw-away service, or a reserved TLD).
    if any(".".join(labels[i:]) in config.disposable_domains for i in range(len(labels))):
        return [
            Finding(
                "disposable_domain",
                3,
                f"邮箱域名 {domain} 为临时或无法投递的域名",
                f"{domain} is a throw-away or undeliverable mail domain",
            )
        ]
    return []


def _mail(fields: Mapping[str, Any], mail: MailEvidence | None) -> list[Finding]:
    if mail is None:
        return []
    found: list[Finding] = []
    verdicts = mail.verdicts
    if verdicts.get("virus") == "FAIL":
        found.append(Finding("ses_virus", 10, "SES 判定邮件含病毒", "SES found a virus in the mail"))
    if verdicts.get("spam") == "FAIL":
        found.append(Finding("ses_spam", 5, "SES 判定为垃圾邮件", "SES judged the mail to be spam"))
    claimed = str(fields.get("requester_email", "")).strip().lower()
    sender = mail.sender.strip().lower()
    if claimed and sender and claimed != sender:
        found.append(
            Finding(
                "sender_mismatch",
                2,
                "表中邮箱与实际发件人不一致",
                "the form's email differs from the mail's sender",
            )
        )
    elif claimed and sender:
        # The mail claims to come from the requester: it must prove it.
        failed = [name.upper() for name in ("spf", "dkim", "dmarc") if verdicts.get(name) == "FAIL"]
        if failed:
            found.append(
                Finding(
                    "sender_not_authenticated",
                    3 + 2 * ("DMARC" in failed),
                    f"自称申请人的邮件未通过 {'/'.join(failed)} 验证（可能冒名）",
                    f"mail claiming to be the requester failed {'/'.join(failed)} (possibly forged)",
                )
            )
    return found


def _classifier(classification: Classification | None, t: Thresholds) -> list[Finding]:
    if classification is None:
        return []
    found: list[Finding] = []
    if classification.error:
        found.append(
            Finding(
                "classifier_unavailable",
                0,
                "内容分类服务暂不可用，未做辱骂检测",
                f"classifier unavailable, abuse not checked ({classification.error[:80]})",
            )
        )
    if classification.toxicity >= t.toxicity:
        labels = ", ".join(classification.toxic_labels[:5])
        found.append(
            Finding("abusive", 3, f"疑含辱骂或威胁内容：{labels}", f"abusive or threatening language: {labels}")
        )
    if classification.pii_types:
        kinds = ", ".join(classification.pii_types)
        # Informative only: an editor should handle the text with care (PIPL), not reject it for it.
        found.append(Finding("personal_data", 0, f"正文含个人信息：{kinds}", f"personal data in the text: {kinds}"))
    return found


def screen(
    fields: Mapping[str, Any], evidence: Evidence, config: ScreeningConfig, texts: Mapping[str, str] | None = None
) -> ScreeningReport:
    """Every rule over one request, and the verdict their scores add up to. ``texts``: the free
    text to read when it is not the request's (a comment's nickname and text)."""
    t = config.thresholds
    texts = dict(texts) if texts is not None else _free_text(fields)
    findings = [
        *_honeypot(evidence),
        *_form_timing(evidence, t),
        *_links(texts, t),
        *_repetition(texts, t),
        *_banned(texts, config),
        *_disposable(fields, config),
        *_mail(fields, evidence.mail),
        *_classifier(evidence.classification, t),
    ]
    score = sum(f.score for f in findings)
    # A filled honeypot or a virus is spam whatever else is true.
    certain = any(f.rule in ("honeypot", "ses_virus") for f in findings)
    if certain or score >= t.spam:
        verdict = Verdict.SPAM
    elif score >= t.suspect:
        verdict = Verdict.SUSPECT
    else:
        verdict = Verdict.PASS
    return ScreeningReport(verdict, score, tuple(findings))
