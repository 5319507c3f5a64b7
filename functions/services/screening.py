"""Screening a stored request: gather its evidence, ask the classifier, apply corrigo.screening."""

from __future__ import annotations

from collections.abc import Mapping

from corrigo.classifier import Classification, Classifier, LocalClassifier
from corrigo.errors import ServiceUnavailable
from corrigo.model import CorrectionRequest
from corrigo.screening import FREE_TEXT_FIELDS, ScreeningConfig, ScreeningReport, evidence_from_source, screen
from observability import logger


class Screener:
    def __init__(self, config: ScreeningConfig, classifier: Classifier | None = None) -> None:
        self.config = config
        self.classifier = classifier or LocalClassifier()

    def screen(self, request: CorrectionRequest) -> ScreeningReport:
        texts = {name: str(request.fields[name]) for name in FREE_TEXT_FIELDS if request.fields.get(name)}
        evidence = evidence_from_source(
            request.channel, request.flags, request.source, self._classify(texts, request.language)
        )
        return screen(request.fields, evidence, self.config)

    def _classify(self, texts: Mapping[str, str], language: str) -> Classification:
        # A classifier outage must not hold every request back: the report says abuse went unchecked
        # and an editor still reads the text. (Comprehend's throttling is retried by botocore first.)
        try:
            return self.classifier.classify(dict(texts), language)
        except ServiceUnavailable as exc:
            logger.warning("classifier unavailable; screening without it", extra={"error": str(exc)})
            return Classification(error=str(exc)[:200], source="unavailable")


def classifier_named(name: str) -> Classifier:
    """The `Classifier` template parameter's choice."""
    if name == "comprehend":
        from adapters.comprehend import ComprehendClassifier

        return ComprehendClassifier()
    return LocalClassifier()
