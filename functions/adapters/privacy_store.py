"""DynamoDB and S3 for erasure and export (issue 9, PIPL): the `privacy` index, a request's items,
and the deletes. What to erase is decided in corrigo.privacy; this module only reads and writes.

The `privacy` GSI (KEYS_ONLY, sparse) holds two kinds of entry, written by adapters.request_items:
  REQUESTER#<sha256(email)> / <created_at>   on a request item: a requester's requests
  RETENTION / <at>                           on the event that moved a request into `resolved`
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, is_transient, unavailable
from adapters.dynamo import Write
from adapters.mail_markers import mail_marker_pk
from adapters.raw_mail import RawMailStoreError
from adapters.request_items import (
    REQUEST_SK,
    event_from_item,
    event_item,
    move_writes,
    request_from_item,
    request_pk,
)
from adapters.requests_table import RequestsTable
from corrigo import privacy
from corrigo.lifecycle import AuditEvent
from corrigo.model import CorrectionRequest

INDEX = "privacy"


@dataclass(frozen=True)
class HeldItems:
    """Everything the table holds under one request's partition."""

    request: CorrectionRequest | None
    events: list[tuple[dict[str, Any], AuditEvent]]  # (its key, the event)
    notes: list[dict[str, Any]]  # keys of the editors' internal notes
    links: list[dict[str, Any]]  # duplicates linked to this request (services.duplicates)

    @property
    def history(self) -> list[AuditEvent]:
        return [event for _, event in self.events]


class PrivacyStore:
    def __init__(self, table: RequestsTable, s3: Any = None) -> None:
        self.requests = table
        self.db = table.db
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client("s3")
        return self._s3

    # ---- reading -------------------------------------------------------------------------------------

    def held(self, reference: str) -> HeldItems:
        items = self.requests.partition(reference)
        request = next((request_from_item(i) for i in items if i["sk"] == REQUEST_SK), None)
        events = [(_key(i), event_from_item(i)) for i in items if i["sk"].startswith("EVENT#")]
        notes = [_key(i) for i in items if i["sk"].startswith("NOTE#")]
        links = [i for i in items if i["sk"].startswith("LINK#")]
        return HeldItems(request, sorted(events, key=lambda pair: pair[0]["sk"]), notes, links)

    def references_of(self, email: str) -> list[str]:
        """Every request whose requester_email is ``email`` (any case), oldest first: one index query."""
        key = privacy.requester_index_key(email)
        if key is None:
            return []
        items = self.db.query(
            IndexName=INDEX,
            KeyConditionExpression="privacy_key = :k",
            ExpressionAttributeValues={":k": {"S": key}},
        )
        return list(dict.fromkeys(_reference(item) for item in items))

    def due_for_retention(self, cutoff: str, limit: int) -> list[tuple[dict[str, Any], str]]:
        """Resolutions at or before ``cutoff``, oldest first, at most ``limit``: (the event's key, its
        request). Reads only due entries, whatever the table holds."""
        first_page = next(
            self.db.pages(
                IndexName=INDEX,
                KeyConditionExpression="privacy_key = :k AND privacy_at <= :cutoff",
                ExpressionAttributeValues={":k": {"S": privacy.RETENTION_INDEX_KEY}, ":cutoff": {"S": cutoff}},
                Limit=limit,
            )
        )
        decoded = [self.db.decode(item) for item in first_page.get("Items", [])]
        return [(_key(item), _reference(item)) for item in decoded]

    # ---- erasing -------------------------------------------------------------------------------------

    def delete_objects(self, objects: Iterable[privacy.StoredObject]) -> int:
        """Every version of each object (the bucket is versioned: a plain delete would only hide it
        behind a delete marker). Returns how many versions went; an object already gone is fine."""
        deleted = 0
        for stored in objects:
            try:
                answer = self.s3.list_object_versions(Bucket=stored.bucket, Prefix=stored.key)
                for version in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]:
                    if version["Key"] != stored.key:
                        continue  # another object whose name starts with this one's
                    self.s3.delete_object(Bucket=stored.bucket, Key=stored.key, VersionId=version["VersionId"])
                    deleted += 1
            except ClientError as exc:
                if error_code(exc) in ("NoSuchKey", "NoSuchBucket", "404"):
                    continue
                raise _s3_error(exc) from exc
            except BotoCoreError as exc:
                raise _s3_error(exc) from exc
        return deleted

    def delete_markers(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._delete({"pk": mail_marker_pk(key), "sk": "KEY"})

    def delete_notes(self, notes: Sequence[dict[str, Any]]) -> None:
        for key in notes:
            self._delete(key)

    def blank_events(self, events: Sequence[tuple[dict[str, Any], AuditEvent]]) -> None:
        """Each event without its text and out of the retention index (rewritten in place, same key)."""
        for key, event in events:
            item = event_item("", privacy.anonymised_event(event))
            item.pop("privacy_key", None)
            item.pop("privacy_at", None)
            self._put({**item, **key})

    def forget_link(self, primary: str, reference: str) -> None:
        """The duplicate's copy of its requester on the primary's LINK item, if there is one."""
        self.db.call(
            "update_item",
            ignore="ConditionalCheckFailedException",
            Key=self.db.encode({"pk": request_pk(primary), "sk": f"LINK#{reference}"}),
            UpdateExpression="REMOVE " + ", ".join(privacy.LINK_PERSONAL_ATTRIBUTES),
            ConditionExpression="attribute_exists(pk)",
        )

    def leave_retention_index(self, key: dict[str, Any]) -> None:
        """A resolution that is no longer the request's latest (it was reopened): out of the index."""
        self.db.call("update_item", Key=self.db.encode(key), UpdateExpression="REMOVE privacy_key, privacy_at")

    def save_anonymised(self, before: CorrectionRequest, after: CorrectionRequest, event: AuditEvent) -> None:
        """The anonymised request and the erasure's audit event, together, only if nobody moved the
        request meanwhile. Written last: until then a retry finds everything it needs to finish."""
        request_write, _, *kept = move_writes(self.db, before, after, event)
        # The erasure's event only once: a retry that finds it written changes nothing.
        event_write = Write(self.db.put_new(event_item(after.reference, event)))
        # ``kept``: the request's rows in the queue's views rewritten without what was erased, and its
        # search tokens of the erased fields deleted (docs/privacy.md), in the same transaction.
        self.db.transact([request_write, event_write, *kept])

    def _put(self, item: dict[str, Any]) -> None:
        self.db.call("put_item", Item=self.db.encode(item))

    def _delete(self, key: dict[str, Any]) -> None:
        self.db.call("delete_item", Key=self.db.encode(key))


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {"pk": item["pk"], "sk": item["sk"]}


def _reference(item: dict[str, Any]) -> str:
    return str(item["pk"]).removeprefix("REQ#")


def _s3_error(exc: Exception) -> Exception:
    return unavailable("S3", exc) if is_transient(exc) else RawMailStoreError(f"S3 call failed: {exc}")
