"""DynamoDB: the editors' search index, kept by the write path (corrigo.search_tokens decides the tokens).

  SEARCH#<token> / <reference>    one item per token of a request (no other attributes)

Written in the transaction that creates or changes the request (adapters.request_items), so the index
never disagrees with what is stored; erasing a request's personal data rewrites it without them and
their tokens go in the same transaction (docs/privacy.md). A search reads the postings of its tokens
the likely rarest first (one Query each, keys only) and stops once the candidates are few: the queue
itself is never read. Services see it through services.ports.SearchIndex; another engine (OpenSearch)
could answer the same ``find``.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.dynamo import Dynamo, Write
from corrigo.search_tokens import SearchHits, request_tokens, search_tokens

SEARCH_PK_PREFIX = "SEARCH#"
# A token with more postings than this narrows too little to be worth reading whole.
MAX_POSTINGS = 500
# Candidates this few are read and checked at once; more tokens would only cost round trips.
FEW_ENOUGH = 50


def token_pk(token: str) -> str:
    return f"{SEARCH_PK_PREFIX}{token}"


def token_writes(
    db: Dynamo, reference: str, before: Mapping[str, object] | None, after: Mapping[str, object]
) -> list[Write]:
    """The index's changes when a request's fields go from ``before`` (None: new) to ``after``:
    nothing when the searched fields did not change."""
    old = set(request_tokens(before)) if before is not None else set()
    new = request_tokens(after)
    puts = [Write(db.put({"pk": token_pk(token), "sk": reference})) for token in new if token not in old]
    gone = [Write(db.delete(token_pk(token), reference)) for token in sorted(old - set(new))]
    return [*puts, *gone]


class RequestSearch:
    """``find`` over the token items of the requests table."""

    def __init__(self, db: Dynamo) -> None:
        self.db = db

    def find(self, text: str) -> SearchHits:
        """References that may match ``text`` (a superset: the caller checks each); none, and
        ``complete`` False, when every token of it is too common to narrow anything."""
        candidates: set[str] | None = None
        for token in search_tokens(text):
            postings, whole = self._postings(token)
            if not whole:
                continue
            candidates = set(postings) if candidates is None else candidates & set(postings)
            if len(candidates) <= FEW_ENOUGH:
                break
        if candidates is None:
            return SearchHits((), complete=False)
        return SearchHits(tuple(sorted(candidates)), complete=True)

    def _postings(self, token: str) -> tuple[list[str], bool]:
        page = next(
            self.db.pages(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": token_pk(token)}},
                ProjectionExpression="sk",
                Limit=MAX_POSTINGS,
            )
        )
        references = [str(self.db.decode(item)["sk"]) for item in page.get("Items", [])]
        return references, "LastEvaluatedKey" not in page
