"""Amazon Comprehend as screening's classifier: DetectToxicContent and DetectPiiEntities.

Chosen with the `Classifier` template parameter. DetectToxicContent takes English (and a few other
languages; not Chinese at the time of writing), so for Chinese text only personal data is asked
for and toxicity comes from the local word list; the answer says which source spoke.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, is_transient, unavailable
from corrigo.classifier import Classification, LocalClassifier

# DetectToxicContent: at most 10 segments, each under 1 KB of UTF-8.
MAX_SEGMENTS = 10
MAX_SEGMENT_BYTES = 1000
# DetectPiiEntities: up to 100 KB; our fields are capped far below that.
PII_LANGUAGES = {"en": "en", "zh": "en"}
# Entity types that a correction request's free text has no reason to contain.
WATCHED_PII = frozenset(
    {"BANK_ACCOUNT_NUMBER", "CREDIT_DEBIT_NUMBER", "PASSPORT_NUMBER", "SSN", "PIN", "PASSWORD", "DRIVER_ID"}
)


def _segments(texts: dict[str, str]) -> list[str]:
    out = []
    for text in texts.values():
        data = text.encode("utf-8")[:MAX_SEGMENT_BYTES]
        out.append(data.decode("utf-8", errors="ignore"))
    return [s for s in out if s.strip()][:MAX_SEGMENTS]


class ComprehendClassifier:
    def __init__(self, comprehend: Any = None, threshold: float = 0.5) -> None:
        self._comprehend = comprehend
        self.threshold = threshold
        self.fallback = LocalClassifier()

    @property
    def comprehend(self) -> Any:
        if self._comprehend is None:
            self._comprehend = client("comprehend")
        return self._comprehend

    def classify(self, texts: dict[str, str], language: str) -> Classification:
        segments = _segments(texts)
        if not segments:
            return Classification(source="comprehend")
        try:
            if language == "en":
                toxic = self.comprehend.detect_toxic_content(
                    TextSegments=[{"Text": s} for s in segments], LanguageCode="en"
                )
                toxicity, labels = self._toxicity(toxic)
                source = "comprehend"
            else:
                local = self.fallback.classify(texts, language)
                toxicity, labels, source = local.toxicity, local.toxic_labels, "local+comprehend"
            pii = self.comprehend.detect_pii_entities(
                Text="\n".join(segments), LanguageCode=PII_LANGUAGES.get(language, "en")
            )
        except (ClientError, BotoCoreError) as exc:
            if is_transient(exc):
                raise unavailable("Comprehend", exc) from exc
            # A refusal that retrying will not fix (unsupported text, permissions): say so, go on locally.
            local = self.fallback.classify(texts, language)
            return Classification(
                local.toxicity, local.toxic_labels, local.pii_types, source="local", error=f"Comprehend: {exc}"[:200]
            )
        kinds = sorted(
            {
                str(e.get("Type"))
                for e in pii.get("Entities", [])
                if e.get("Type") in WATCHED_PII and float(e.get("Score", 0)) >= self.threshold
            }
        )
        return Classification(toxicity, labels, tuple(kinds), source=source)

    def _toxicity(self, answer: dict[str, Any]) -> tuple[int, tuple[str, ...]]:
        """The worst segment's overall toxicity (0–100) and the labels above the threshold in any segment."""
        worst, labels = 0.0, []
        for result in answer.get("ResultList", []):
            worst = max(worst, float(result.get("Toxicity", 0.0)))
            labels += [
                str(label["Name"])
                for label in result.get("Labels", [])
                if float(label.get("Score", 0.0)) >= self.threshold
            ]
        return round(worst * 100), tuple(dict.fromkeys(labels))
