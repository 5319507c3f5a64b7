"""The intake worker's job: screen a received request into the queue (or hold it), and promise its
acknowledgement in the same write (the outbox delivers it)."""

from __future__ import annotations

from dataclasses import replace

from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Action, Status
from corrigo.model import CorrectionRequest
from corrigo.screening import ScreeningConfig, Verdict
from corrigo.spam import SPAM_FLAG
from observability import logger
from services.duplicates import Duplicates
from services.ports import Clock, Requests
from services.promises import Promises
from services.screening import Screener


class IntakeWorker:
    def __init__(
        self,
        requests: Requests,
        promises: Promises,
        clock: Clock,
        screener: Screener | None = None,
        duplicates: Duplicates | None = None,
    ) -> None:
        self.requests = requests
        self.promises = promises
        self.clock = clock
        self.screener = screener or Screener(ScreeningConfig())
        self.duplicates = duplicates

    def process(self, reference: str) -> CorrectionRequest | None:
        """Screen ``reference`` if it is still `received`; a redelivered message finds it screened
        and does nothing (its acknowledgement was promised with the screening)."""
        request = self.requests.get(reference)
        if request is None:
            logger.warning("message for an unknown request; dropped", extra={"reference": reference})
            return None
        if request.status is Status.RECEIVED:
            request = self._screen(request)
        return request

    def _screen(self, request: CorrectionRequest) -> CorrectionRequest:
        report = self.screener.screen(request)
        flags = request.flags
        if report.verdict is Verdict.SPAM and SPAM_FLAG not in flags:
            # Hidden from the editors' default views (the quarantine view shows it when asked).
            flags = (*flags, SPAM_FLAG)
        screened = replace(request, screening=report.as_dict(), flags=flags)
        try:
            primary = self.duplicates.primary_for(screened) if self.duplicates else None
            if primary is not None and self.duplicates is not None:
                return self.duplicates.link(screened, request, primary)
            if report.verdict is Verdict.PASS:
                moved, event = screened.move(Action.SCREEN_PASS, actor="screening", at=self.clock())
            else:
                moved, event = screened.move(
                    Action.SCREEN_QUARANTINE, actor="screening", at=self.clock(), detail=report.summary("zh")
                )
            self.requests.save_move(request, moved, event, outbox=self.promises.acknowledgement(moved))
        except ConcurrentChange:
            # Another delivery of the same message got there first; carry on from what it wrote.
            current = self.requests.get(request.reference)
            return current if current is not None else request
        logger.info(
            "screened",
            extra={"reference": request.reference, "verdict": report.verdict.value, "rules": list(report.rules)},
        )
        return moved
