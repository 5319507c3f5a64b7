"""Send an email about a request, exactly once per (request, kind, occasion, recipient).

Powertools idempotency records the sending in the requests table, so an SQS redelivery or a
Lambda retry does not send it twice, and a crash mid-send lets a later retry try again.

Every mail to a requester passes here, whichever channel or function sends it, so the two rules
against relaying (issue 9) hold in one place:

- what a requester wrote goes only to an address that has shown it is theirs (corrigo.contact);
  an unconfirmed address gets the confirmation notice instead, once per request;
- automatic mail to any one address is capped per day (one counter per address, shared by every
  channel); a refusal is logged and recorded as the send's result, and the request is untouched.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any, NamedTuple, Protocol

from adapters.auto_reply_counters import AutoReplyCounters
from adapters.aws import client
from adapters.dynamo import Dynamo
from adapters.mailer import Mailer
from corrigo.config import ConfigError, Settings
from corrigo.contact import (
    AUTOMATIC_KINDS,
    CONFIRM_KIND,
    EDITOR_KINDS,
    confirm_url,
    counter_window,
    deliveries,
    within_cap,
)
from corrigo.model import CorrectionRequest, utc_now
from corrigo.notifications import MailContext, compose
from observability import logger
from web.render import render_email

DEFAULT_DAILY_CAP = 5
REFUSED = "refused: daily cap"


class DailyCounter(NamedTuple):
    """The counter of automatic mail to one address on one UTC day."""

    name: str
    window: str
    expires_at: int


class Counters(Protocol):
    def increment(self, name: str, window: str, expires_at: int) -> int: ...

    def give_back(self, name: str, window: str) -> None: ...


def daily_cap_from(env: Mapping[str, str]) -> int:
    """MAX_AUTO_REPLIES_PER_DAY (template parameter MaxAutoRepliesPerSenderPerDay), for every function."""
    raw = env.get("MAX_AUTO_REPLIES_PER_DAY", "").strip()
    if not raw:
        return DEFAULT_DAILY_CAP
    if not raw.isdigit():
        raise ConfigError(f"MAX_AUTO_REPLIES_PER_DAY must be a whole number, not {raw!r}")
    return int(raw)


@cache
def _persistence(table_name: str) -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=table_name, key_attr="pk", sort_key_attr="sk", boto3_client=client("dynamodb")
    )


class Notifier:
    def __init__(
        self, settings: Settings, mailer: Mailer, *, counters: Counters | None = None, daily_cap: int | None = None
    ) -> None:
        self.settings = settings
        self.mailer = mailer
        self.counters = counters or AutoReplyCounters(Dynamo(settings.table_name))
        self.daily_cap = daily_cap_from(os.environ) if daily_cap is None else daily_cap
        self.context = MailContext(
            settings.sender_address, settings.intake_address, settings.public_base_url, render_email
        )
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

        self.idempotency = IdempotencyConfig(
            event_key_jmespath="[reference, kind, occasion, to]", expires_after_seconds=30 * 24 * 3600
        )
        self._send_once = idempotent_function(
            data_keyword_argument="notice",
            persistence_store=_persistence(settings.table_name),
            config=self.idempotency,
        )(self._send)

    def register_context(self, lambda_context: Any) -> None:
        self.idempotency.register_lambda_context(lambda_context)

    def notify(self, request: CorrectionRequest, kind: str, occasion: str = "", **extra: Any) -> bool:
        """Email ``kind`` about ``request``; ``occasion`` tells repeated kinds apart (e.g. each question).
        Mail to editors goes to the ``to`` it names; mail to the requester goes where corrigo.contact
        allows, whatever ``to`` says. True when something was sent (now or by an earlier delivery).
        A ``public_note`` in ``extra`` is shown as the request's own (a primary's note, on the outcome
        told to a requester linked to it)."""
        if "public_note" in extra:
            request = replace(request, public_note=str(extra.pop("public_note")) or None)
        if kind in EDITOR_KINDS:
            return self._deliver(request, kind, occasion, str(extra.pop("to")), extra)
        extra.pop("to", None)
        sent = False
        for delivery in deliveries(request):
            if delivery.full:
                sent |= self._deliver(request, kind, occasion, delivery.address, extra)
            else:
                # One notice per request and address, whichever mail it stands in for.
                link = {"confirm_url": confirm_url(self.settings.public_base_url, request)}
                sent |= self._deliver(request, CONFIRM_KIND, "", delivery.address, link)
        if not sent:
            logger.info("no mail to the requester", extra={"reference": request.reference, "kind": kind})
        return sent

    def _deliver(self, request: CorrectionRequest, kind: str, occasion: str, to: str, extra: dict[str, Any]) -> bool:
        notice = {"reference": request.reference, "kind": kind, "occasion": occasion, "to": to.strip().lower()}
        return bool(self._send_once(notice=notice, request=request, extra={**extra, "to": to}) != REFUSED)

    def _send(self, notice: dict[str, str], request: CorrectionRequest, extra: dict[str, Any]) -> str:
        counter = self._daily_counter(notice["to"]) if notice["kind"] in AUTOMATIC_KINDS else None
        if counter is not None and not within_cap(self.counters.increment(*counter), self.daily_cap):
            # 429-style: refused and logged; the idempotency record keeps the refusal, so a retry
            # does not send it either. The request itself was stored and queued before this.
            logger.warning(
                "automatic mail cap reached; not sent",
                extra={"reference": request.reference, "kind": notice["kind"], "status": 429},
            )
            return REFUSED
        message = compose(request, notice["kind"], self.context, now=utc_now(), unique=uuid.uuid4().hex[:12], **extra)
        try:
            message_id = self.mailer.send(message)
        except Exception:
            # Not sent (or not known to be): the retry counts it again, so an outage of SES is not
            # taken for mail to this address, and an acknowledgement never refused for it.
            if counter is not None:
                self.counters.give_back(counter.name, counter.window)
            raise
        logger.info(
            "email sent", extra={"reference": request.reference, "kind": notice["kind"], "ses_message_id": message_id}
        )
        return message_id

    def _daily_counter(self, address: str) -> DailyCounter:
        """One counter per address and UTC day, whatever the channel (a hash: no address in keys or logs)."""
        window = counter_window(utc_now())
        name = "auto-mail#" + hashlib.sha256(address.encode("utf-8")).hexdigest()
        return DailyCounter(name, window.day, window.expires_at)
