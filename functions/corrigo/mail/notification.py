"""What SES tells us about a received mail: where it stored it, its verdicts, and whether they show
the From address is its sender's (issue 9). Pure: no AWS, no clock."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from corrigo.mail.parsed import ParsedMail

# ---- The notification SES publishes for the receipt rule's S3 action (via SNS, then SQS) ------------


@dataclass(frozen=True)
class Verdicts:
    """SES's receipt verdicts: PASS, FAIL, GRAY or PROCESSING_FAILED (GRAY locally: nothing checked)."""

    spam: str = "GRAY"
    virus: str = "GRAY"
    spf: str = "GRAY"
    dkim: str = "GRAY"
    dmarc: str = "GRAY"

    def failed(self) -> tuple[str, ...]:
        return tuple(name for name in ("spam", "virus", "spf", "dkim", "dmarc") if getattr(self, name) == "FAIL")

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ("spam", "virus", "spf", "dkim", "dmarc")}


@dataclass(frozen=True)
class Notification:
    """Where SES stored a received message, and what it thought of it."""

    bucket: str
    key: str
    ses_message_id: str
    recipients: tuple[str, ...] = ()
    envelope_sender: str = ""
    timestamp: str = ""
    verdicts: Verdicts = field(default_factory=Verdicts)


class NotAMailNotification(ValueError):
    """A message on the mail topic that announces no stored mail (SES's set-up test, say)."""


def _verdict(receipt: Mapping[str, Any], name: str) -> str:
    value = receipt.get(f"{name}Verdict") or {}
    return str(value.get("status", "GRAY")) if isinstance(value, Mapping) else "GRAY"


def notification_from_body(body: str) -> Notification:
    """The SES notification in an SQS body: SNS's envelope around it, or the bare notification
    when the subscription uses raw delivery. Raises NotAMailNotification for anything else."""
    try:
        document = json.loads(body)
        if isinstance(document, Mapping) and document.get("Type") == "Notification" and "Message" in document:
            document = json.loads(document["Message"])
    except (TypeError, ValueError) as exc:
        raise NotAMailNotification(f"not JSON: {exc}") from exc
    if not isinstance(document, Mapping) or document.get("notificationType", "Received") != "Received":
        kind = document.get("notificationType") if isinstance(document, Mapping) else type(document).__name__
        raise NotAMailNotification(f"notification of type {kind}")
    receipt, mail = document.get("receipt") or {}, document.get("mail") or {}
    action = receipt.get("action") or {}
    if action.get("type") != "S3" or not action.get("bucketName") or not action.get("objectKey"):
        raise NotAMailNotification(f"receipt action {action.get('type')!r} names no stored object")
    return Notification(
        bucket=str(action["bucketName"]),
        key=str(action["objectKey"]),
        ses_message_id=str(mail.get("messageId", "")),
        recipients=tuple(str(r) for r in receipt.get("recipients") or mail.get("destination") or ()),
        envelope_sender=str(mail.get("source", "")),
        timestamp=str(mail.get("timestamp", "")),
        verdicts=Verdicts(*(_verdict(receipt, name) for name in ("spam", "virus", "spf", "dkim", "dmarc"))),
    )


def idempotency_keys(notification: Notification, mail: ParsedMail | None) -> list[str]:
    """What makes a delivery the same mail again: SES's object key (a redelivered notification), and
    the sender's Message-ID (the same message sent or relayed twice). Both are checked together."""
    keys = [f"object:{notification.bucket}/{notification.key}"]
    if mail is not None and mail.message_id:
        keys.append(f"message-id:{(mail.from_address or '').lower()}:{mail.message_id}")
    return keys


# ---- Is the From address its sender's? (issue 9) ---------------------------------------------------------


def _aligned(domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment, approximated without the public suffix list: the same domain, or one
    a subdomain of the other (never a bare top-level domain). Stricter than DMARC, never looser."""
    if not domain or not from_domain or "." not in domain or "." not in from_domain:
        return False
    return domain == from_domain or domain.endswith("." + from_domain) or from_domain.endswith("." + domain)


def dkim_signing_domains(mail: ParsedMail) -> tuple[str, ...]:
    """The d= tag of every DKIM-Signature header (lower case), in order."""
    found = []
    for name, value in mail.headers:
        if name.lower() != "dkim-signature":
            continue
        for tag in value.split(";"):
            key, _, tag_value = tag.partition("=")
            if key.strip().lower() == "d":
                found.append("".join(tag_value.split()).lower().rstrip("."))
    return tuple(found)


def sender_authenticated(verdicts: Verdicts, mail: ParsedMail, envelope_sender: str) -> bool:
    """True when SES's verdicts show the From address is its sender's: DMARC passed; or, for a domain
    without a DMARC policy (verdict GRAY), SPF passed for an envelope sender aligned with the From
    domain, or DKIM passed and every signature is the From domain's (SES does not say which one
    passed, so a forger's own valid signature beside a copied one must not count)."""
    from_domain = domain_of(mail.from_address or "") if "@" in (mail.from_address or "") else ""
    if not from_domain:
        return False
    if verdicts.dmarc == "PASS":
        return True
    if verdicts.dmarc == "FAIL":
        return False
    if verdicts.spf == "PASS" and "@" in envelope_sender and _aligned(domain_of(envelope_sender), from_domain):
        return True
    signers = dkim_signing_domains(mail)
    return verdicts.dkim == "PASS" and bool(signers) and all(_aligned(d, from_domain) for d in signers)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()
