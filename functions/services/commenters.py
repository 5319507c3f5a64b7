"""Commenters prove a mobile number by a six-digit code, and get a token for 30 days (后台实名).

Two AWS calls to send a code (the code's record with the rate-limit counters in one transaction,
then SNS), two to confirm it (read the code; spend it and record the commenter in one transaction).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.comments_table import CommentsTable
from adapters.dynamo import Write
from adapters.rate_limits import transaction_guards
from adapters.sms import Sms, SmsRefused
from corrigo.comments import identity
from corrigo.comments.config import CommentSettings
from corrigo.comments.forms import VERIFY, checked, refuse
from corrigo.ratelimit import counters_for

_SMS_TEXT = {
    "zh": "您的评论验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。",
    "en": "Your comment verification code is {code}. It is valid for {minutes} minutes; do not share it.",
}


@dataclass(frozen=True)
class Verified:
    commenter: str
    token: str
    expires_in_seconds: int


class CommenterService:
    def __init__(
        self,
        settings: CommentSettings,
        keys: identity.Keys,
        table: CommentsTable,
        sms: Sms,
        clock: Callable[[], float] = time.time,
        random_below: Callable[[int], int] = secrets.randbelow,
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.table = table
        self.sms = sms
        self.clock = clock
        self.random_below = random_below

    def request_code(self, raw: Mapping[str, Any] | Any, ip: str, language: str) -> None:
        data = checked(VERIFY, raw, self.settings.site_domains, language)
        phone = identity.normalise_phone(str(data["phone"]))
        keys = self.keys
        hashed = identity.phone_hash(keys, phone)
        now = self.clock()
        code = identity.new_code(self.random_below(1_000_000))
        # Counted by the number's keyed hash: a counter's name never carries the number.
        counters = counters_for(self.settings.verify_limits, {"phone": hashed, "verify_ip": ip}, now=now)
        guards = [Write(e, r) for e, r in transaction_guards(self.settings.rate_limit_table_name, counters)]
        expires = int(now) + identity.CODE_SECONDS
        self.table.put_verification(hashed, identity.code_hash(keys, phone, code), expires, guards)
        text = _SMS_TEXT[language].format(code=code, minutes=identity.CODE_SECONDS // 60)
        try:
            self.sms.send(phone, text)
        except SmsRefused as exc:
            raise refuse(VERIFY, "phone", "unreachable", data, language) from exc

    def confirm(self, raw: Mapping[str, Any] | Any, language: str) -> Verified:
        data = checked(VERIFY, raw, self.settings.site_domains, language)
        if not data.get("code"):
            raise refuse(VERIFY, "code", "required", data, language)
        phone = identity.normalise_phone(str(data["phone"]))
        keys = self.keys
        hashed = identity.phone_hash(keys, phone)
        now = self.clock()
        record = self.table.verification(hashed)
        usable = (
            record is not None
            and int(record.get("expires_at", 0)) > now
            and int(record.get("attempts", 0)) < identity.CODE_ATTEMPTS
        )
        if not usable or not identity.code_matches(keys, phone, str(data["code"]), str(record["code_hash"])):  # type: ignore[index]
            if record is not None:
                self.table.count_wrong_code(hashed)
            raise refuse(VERIFY, "code", "wrong", data, language)
        commenter = identity.commenter_id(hashed)
        stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.table.confirm_commenter(hashed, str(record["code_hash"]), commenter, identity.last_four(phone), stamp)  # type: ignore[index]
        token = identity.issue_token(keys, commenter, now)
        return Verified(commenter, token, identity.TOKEN_DAYS * 86400)
