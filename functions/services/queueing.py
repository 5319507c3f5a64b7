"""The intake worker's job: screen a received request into the queue (or hold it) and acknowledge it."""

from __future__ import annotations

from dataclasses import replace

from adapters.requests_table import RequestsTable
from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Action, Status
from corrigo.model import CorrectionRequest, utc_now
from corrigo.screening import ScreeningConfig, Verdict
from observability import logger
from services.duplicates import Duplicates, is_spam
from services.notify import Notifier
from services.screening import Screener


class IntakeWorker:
    def __init__(
        self,
        table: RequestsTable,
        notifier: Notifier,
        screener: Screener | None = None,
        duplicates: Duplicates | None = None,
    ) -> None:
        self.table = table
        self.notifier = notifier
        self.screener = screener or Screener(ScreeningConfig())
        self.duplicates = duplicates

    def process(self, reference: str) -> CorrectionRequest | None:
        request = self.table.get(reference)
        if request is None:
            logger.warning("message for an unknown request; dropped", extra={"reference": reference})
            return None
        if request.status is Status.RECEIVED:
            request = self._screen(request)
        acknowledge(self.notifier, request)
        return request

    def _screen(self, request: CorrectionRequest) -> CorrectionRequest:
        report = self.screener.screen(request)
        flags = request.flags
        if report.verdict is Verdict.SPAM and "spam" not in flags:
            # Hidden from the editors' default views (the quarantine view shows it when asked).
            flags = (*flags, "spam")
        screened = replace(request, screening=report.as_dict(), flags=flags)
        try:
            primary = self.duplicates.primary_for(screened) if self.duplicates else None
            if primary is not None and self.duplicates is not None:
                return self.duplicates.link(screened, request, primary)
            if report.verdict is Verdict.PASS:
                moved, event = screened.move(Action.SCREEN_PASS, actor="screening", at=utc_now())
            else:
                moved, event = screened.move(
                    Action.SCREEN_QUARANTINE, actor="screening", at=utc_now(), detail=report.summary("zh")
                )
            self.table.save_move(request, moved, event)
        except ConcurrentChange:
            # Another delivery of the same message got there first; carry on from what it wrote.
            current = self.table.get(request.reference)
            return current if current is not None else request
        logger.info(
            "screened",
            extra={"reference": request.reference, "verdict": report.verdict.value, "rules": list(report.rules)},
        )
        return moved


def acknowledged(request: CorrectionRequest) -> bool:
    """Every requester is acknowledged once, except a bot: honeypot or spam gets nothing."""
    if "honeypot" in request.flags or is_spam(request):
        return False
    if request.status in (Status.QUEUED, Status.QUARANTINED):
        return request.screening is not None or request.status is Status.QUEUED
    # A duplicate linked by screening: told it joined another request, and later its outcome.
    return request.status is Status.RESOLVED and bool(request.merged_into)


def acknowledge(notifier: Notifier, request: CorrectionRequest) -> bool:
    """The acknowledgement a screened request is owed, through the Notifier (which sends it once, and
    only to an address that has shown it is the requester's). Also called when an address confirms."""
    if not acknowledged(request):
        return False
    # A request is linked or not when screened, never both: one of the two kinds, once.
    kind = "acknowledgement_linked" if request.merged_into else "acknowledgement"
    return notifier.notify(request, kind, **({"primary": request.merged_into} if request.merged_into else {}))
