"""What screening's judgement means afterwards: spam, bots, and who is acknowledged.

The one place these are defined; the editors' rules (corrigo.review), the intake worker and duplicate
linking (services) all ask here.
"""

from __future__ import annotations

from corrigo.lifecycle import Status
from corrigo.model import CorrectionRequest

SPAM_FLAG = "spam"
HONEYPOT_FLAG = "honeypot"


def judged_spam(request: CorrectionRequest) -> bool:
    """Screening's verdict was spam. The verdict is the record and stays when an editor releases the
    request; duplicate linking keeps spam with spam by it."""
    return bool(request.screening and request.screening.get("verdict") == "spam")


def is_spam(request: CorrectionRequest) -> bool:
    """Judged spam and not released by an editor: hidden from the editors' views unless asked for.
    Screening sets the flag with a spam verdict; releasing the request removes it."""
    return SPAM_FLAG in request.flags


def is_bot(request: CorrectionRequest) -> bool:
    """No person is behind it: the hidden trap field was filled, or screening judged it spam."""
    return HONEYPOT_FLAG in request.flags or judged_spam(request)


def acknowledged(request: CorrectionRequest) -> bool:
    """Whether the requester is owed (or was sent) the acknowledgement: everyone screened, except a bot.

    A queued request was screened (or released by an editor); a quarantined one once screening wrote
    its report; a resolved one only if it is a duplicate linked by screening (told it joined another)."""
    if is_bot(request):
        return False
    if request.status in (Status.QUEUED, Status.QUARANTINED):
        return request.screening is not None or request.status is Status.QUEUED
    return request.status is Status.RESOLVED and bool(request.merged_into)
