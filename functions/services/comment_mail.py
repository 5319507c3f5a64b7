"""The outbox's comment mail: the author told the moderators' decision, composed at delivery from the
comment as it is then (the outbox message names the comment, and holds no address)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from corrigo.comments.mail import KIND, compose_outcome
from corrigo.comments.model import Comment, CommentStatus
from corrigo.notifications import MailContext
from corrigo.outbox import OutboxMessage

KINDS = frozenset({KIND})  # the outbox mail kinds this module delivers


class Comments(Protocol):
    def get(self, comment_id: str) -> Comment | None: ...


class Sender(Protocol):
    def send(self, message: Any) -> str: ...


class CommentMail:
    def __init__(self, comments: Comments, mailer: Sender, context: MailContext, clock: Callable[[], datetime]) -> None:
        self.comments = comments
        self.mailer = mailer
        self.context = context
        self.clock = clock

    def deliver(self, message: OutboxMessage) -> str:
        """Send the mail ``message`` promised; what happened, in words, for the outbox's record."""
        comment = self.comments.get(message.reference)
        if comment is None or not comment.email:
            return "comment or address gone: not sent"
        if comment.status not in (CommentStatus.APPROVED, CommentStatus.REJECTED):
            # Decided again meanwhile (reported, appealed): the later decision's mail tells the outcome.
            return "no longer decided: not sent"
        mail = compose_outcome(comment, self.context, now=self.clock(), unique=secrets.token_hex(4))
        return "comment mail sent " + self.mailer.send(mail)
