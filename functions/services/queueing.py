"""The intake worker's job: screen a received request into the queue (or hold it) and acknowledge it."""

from __future__ import annotations

from adapters.requests_table import RequestsTable
from corrigo.errors import ConcurrentChange
from corrigo.lifecycle import Action, Status
from corrigo.model import CorrectionRequest, utc_now
from observability import logger
from services.notify import Notifier


class IntakeWorker:
    def __init__(self, table: RequestsTable, notifier: Notifier) -> None:
        self.table = table
        self.notifier = notifier

    def process(self, reference: str) -> CorrectionRequest | None:
        request = self.table.get(reference)
        if request is None:
            logger.warning("message for an unknown request; dropped", extra={"reference": reference})
            return None
        if request.status is Status.RECEIVED:
            request = self._screen(request)
        if request.status is Status.QUEUED and "honeypot" not in request.flags:
            self.notifier.notify(request, "acknowledgement")
        return request

    def _screen(self, request: CorrectionRequest) -> CorrectionRequest:
        if "honeypot" in request.flags:
            # A form field no person sees was filled: a bot. Hold it, and send nothing.
            moved, event = request.move(Action.SCREEN_QUARANTINE, actor="screening", at=utc_now(), detail="honeypot")
        else:
            moved, event = request.move(Action.SCREEN_PASS, actor="screening", at=utc_now())
        try:
            self.table.save_move(request, moved, event)
        except ConcurrentChange:
            # Another delivery of the same message got there first; carry on from what it wrote.
            current = self.table.get(request.reference)
            return current if current is not None else request
        return moved
