"""The local stand-in for SES inbound: an SMTP server that does what the template's receipt rule does.

For each message to a recipient the rule names (others are refused at RCPT with 550, as SES refuses
addresses no rule covers), it stores the raw bytes in the rule's bucket under the rule's key prefix
and publishes to the rule's topic the notification SES would publish (the shape of AWS's sample
`lambdago_ses-sns-event.json`, with the S3 action). Nothing is scanned locally: every verdict is PASS,
as SES reports for an authenticated sender, so a newcomer's mail works; a message carrying
`X-Corrigo-Local-Verdicts: spf=fail dkim=fail dmarc=fail` (any subset) gets those verdicts instead,
so tests can try a forged sender. Only this intake reads that header, and it removes it before the
mail is stored: the handler never sees it, in AWS or here.
The template's SNS subscription, queue and SQS poller then run the very same handler as in AWS.
Everything it needs is read from the template's `AWS::SES::ReceiptRule`, so the two cannot drift.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

if TYPE_CHECKING:
    from .stack import LocalStack

log = logging.getLogger(__name__)

DEFAULT_SMTP_PORT = 2525
SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES's own limit for received mail
NOTIFICATION_SUBJECT = "Amazon SES Email Receipt Notification"
LOCAL_VERDICTS_HEADER = b"x-corrigo-local-verdicts"
VERDICT_NAMES = ("spam", "virus", "spf", "dkim", "dmarc")
SETTABLE_VERDICTS = ("spf", "dkim", "dmarc")


def local_verdicts(raw: bytes) -> tuple[bytes, dict[str, str]]:
    """The verdicts this intake reports (PASS, or what `X-Corrigo-Local-Verdicts` asks for) and the
    message without that header (with its folded continuation lines); every other byte is kept."""
    verdicts = dict.fromkeys(VERDICT_NAMES, "PASS")
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    kept: list[bytes] = []
    dropping = False
    for line in raw[:end].splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the header above
            if not dropping:
                kept.append(line)
            continue
        name, colon, value = line.partition(b":")
        dropping = bool(colon) and name.strip().lower() == LOCAL_VERDICTS_HEADER
        if not dropping:
            kept.append(line)
            continue
        for setting in value.decode("ascii", errors="replace").replace(";", " ").replace(",", " ").split():
            verdict, _, status = setting.partition("=")
            if verdict.strip().lower() in SETTABLE_VERDICTS and status.strip().upper() in ("PASS", "FAIL", "GRAY"):
                verdicts[verdict.strip().lower()] = status.strip().upper()
    return b"".join(kept) + raw[end:], verdicts


@dataclass(frozen=True)
class ReceiptRule:
    """What the template's receipt rule says: which recipients, where the raw mail goes, which topic."""

    recipients: tuple[str, ...]
    bucket: str
    prefix: str
    topic_arn: str
    rule_name: str


def receipt_rule_from(stack: LocalStack) -> ReceiptRule:
    assert stack.resolver is not None, "start the stack first"
    for logical_id, resource in (stack.template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::SES::ReceiptRule":
            continue
        rule = stack.resolver.resolve(resource.get("Properties") or {})["Rule"]
        for action in rule.get("Actions") or []:
            s3 = action.get("S3Action")
            if s3 and s3.get("TopicArn"):
                return ReceiptRule(
                    recipients=tuple(str(r).lower() for r in rule.get("Recipients") or ()),
                    bucket=str(s3["BucketName"]),
                    prefix=str(s3.get("ObjectKeyPrefix", "")),
                    topic_arn=str(s3["TopicArn"]),
                    rule_name=str(rule.get("Name") or logical_id),
                )
    raise LookupError("the template has no SES receipt rule with an S3 action that notifies a topic")


def accepts(rule: ReceiptRule, address: str) -> bool:
    """SES matches a rule's recipient as a full address, a domain, or a parent domain ("example.cn")."""
    address = address.strip().strip("<>").lower()
    domain = address.rpartition("@")[2]
    if not rule.recipients:
        return True  # a rule without recipients takes every address of the verified domains
    return any(
        address == r or (("@" not in r) and (domain == r or domain.endswith("." + r.lstrip("."))))
        for r in rule.recipients
    )


def ses_notification(
    rule: ReceiptRule,
    raw: bytes,
    *,
    message_id: str,
    key: str,
    mail_from: str,
    recipients: list[str],
    now: datetime,
    verdicts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The notification SES publishes for an S3 action (headers and common headers as SES gives them)."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    pairs = [{"name": name, "value": str(value)} for name, value in headers.items()]

    def addresses(name: str) -> list[str]:
        return [formatted for formatted in (str(v) for v in headers.get_all(name, [])) if formatted]

    common: dict[str, Any] = {
        "returnPath": mail_from,
        "from": addresses("From"),
        "to": addresses("To"),
        "messageId": str(headers.get("Message-ID", "")),
        "subject": str(headers.get("Subject", "")),
    }
    if headers.get("Date"):
        common["date"] = str(headers["Date"])
    if headers.get_all("Cc"):
        common["cc"] = [a for _, a in getaddresses([str(v) for v in headers.get_all("Cc", [])])]
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    verdicts = verdicts or dict.fromkeys(VERDICT_NAMES, "PASS")
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": stamp,
            "source": mail_from,
            "messageId": message_id,
            "destination": recipients,
            "headersTruncated": False,
            "headers": pairs,
            "commonHeaders": common,
        },
        "receipt": {
            "timestamp": stamp,
            "processingTimeMillis": 0,
            "recipients": recipients,
            **{f"{name}Verdict": {"status": verdicts.get(name, "GRAY")} for name in VERDICT_NAMES},
            "action": {
                "type": "S3",
                "topicArn": rule.topic_arn,
                "bucketName": rule.bucket,
                "objectKeyPrefix": rule.prefix,
                "objectKey": key,
            },
        },
    }


class _IntakeHandler:
    """aiosmtpd handler: RCPT is checked against the rule; DATA is stored and announced."""

    def __init__(self, stack: LocalStack, rule: ReceiptRule) -> None:
        self.stack = stack
        self.rule = rule

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not accepts(self.rule, address):
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", errors="surrogateescape")
        loop = asyncio.get_running_loop()
        # boto3 blocks: keep it off the event loop so other SMTP sessions carry on.
        try:
            message_id = await loop.run_in_executor(None, self._receive, raw, envelope)
        except Exception as exc:  # whatever failed, the mail is not safely with us
            # A temporary failure: the sending server keeps the mail and tries again later (RFC 5321
            # 4.2.5), where a 5xx would have it bounce a reader's complaint.
            log.warning("mail of %d bytes not taken (451, the sender will retry): %s", len(raw), exc)
            return "451 4.3.0 The mail could not be stored just now; please try again later"
        return f"250 Ok {message_id}"

    def _receive(self, raw: bytes, envelope: Envelope) -> str:
        message_id = uuid.uuid4().hex + uuid.uuid4().hex[:8]  # SES's ids are opaque strings of this length
        key = f"{self.rule.prefix}{message_id}"
        raw, verdicts = local_verdicts(raw)
        # Stored first, announced second: the same order as SES, so the raw mail exists before anyone parses it.
        self.stack.aws("s3").put_object(Bucket=self.rule.bucket, Key=key, Body=raw)
        notification = ses_notification(
            self.rule,
            raw,
            message_id=message_id,
            key=key,
            mail_from=str(envelope.mail_from or ""),
            recipients=[str(r) for r in envelope.rcpt_tos],
            now=datetime.now(UTC),
            verdicts=verdicts,
        )
        self.stack.aws("sns").publish(
            TopicArn=self.rule.topic_arn, Subject=NOTIFICATION_SUBJECT, Message=json.dumps(notification)
        )
        log.info("mail received: %d bytes stored as s3://%s/%s", len(raw), self.rule.bucket, key)
        return message_id


class _BoundController(Controller):
    """aiosmtpd's Controller on a socket bound beforehand, so that port 0 (tests) works and the real
    port is known before the server starts."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpIntake:
    """The extension-point service (infra/local/extensions.py): SMTP on SMTP_PORT (2525)."""

    def __init__(self, host: str | None = None, port: int | None = None) -> None:
        self._host = host
        self._port = int(os.environ.get("SMTP_PORT", DEFAULT_SMTP_PORT)) if port is None else port
        self._controller: _BoundController | None = None
        self.rule: ReceiptRule | None = None

    @property
    def port(self) -> int:
        return self._controller.port if self._controller is not None else self._port

    @property
    def address(self) -> str:
        if self._controller is None:
            return "smtp=off (no SES receipt rule in the template)"
        return f"smtp://{self._host or '127.0.0.1'}:{self.port}"

    def start(self, stack: LocalStack) -> None:
        try:
            self.rule = receipt_rule_from(stack)
        except LookupError as exc:  # a template without mail intake (the local stack's own test templates)
            log.info("SMTP intake not started: %s", exc)
            return
        self._host = self._host or stack.host
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        sock.listen(100)
        sock.setblocking(False)
        self._controller = _BoundController(
            _IntakeHandler(stack, self.rule),
            sock,
            data_size_limit=SES_MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            server_hostname="inbound-smtp.local",
        )
        self._controller.start()
        log.info("SMTP intake on %s for %s", self.address, ", ".join(self.rule.recipients) or "every address")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
