"""The comments' own refusals; handlers/comments_api maps each to its answer, in one place."""

from __future__ import annotations

from corrigo.errors import CorrigoError


class NotVerified(CorrigoError):
    """No commenter token, a forged or expired one, or one whose commenter is unknown (401)."""


class CommentsClosed(CorrigoError):
    """The article takes no comments (closed by a moderator, or past its close_after_days) (403)."""


class CommenterRestricted(CorrigoError):
    """The commenter is muted (until ``until``) or banned (403)."""

    def __init__(self, level: str, until: str | None) -> None:
        super().__init__(f"commenter {level}" + (f" until {until}" if until else ""))
        self.level = level
        self.until = until


class ActionNotAllowed(CorrigoError):
    """The action does not apply to the comment's status (an appeal of a published comment …) (409)."""

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"{action} is not allowed on a {status} comment")
        self.action = action
        self.status = status
