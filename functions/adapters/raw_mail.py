"""S3: the raw messages SES stored, and the attachments kept from them as evidence."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adapters.aws import client, error_code, is_transient, unavailable

# SES accepts messages up to 40 MB; anything bigger in the bucket is not a mail SES received.
MAX_RAW_BYTES = 40 * 1024 * 1024


class RawMailMissing(Exception):
    """The notification names an object that is not in the bucket (deleted, or never written)."""


class RawMailStore:
    def __init__(self, bucket: str, s3: Any = None) -> None:
        self.bucket = bucket
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client("s3")
        return self._s3

    def get(self, key: str, bucket: str | None = None) -> bytes:
        """The raw MIME of a received message (at most MAX_RAW_BYTES of it)."""
        try:
            answer = self.s3.get_object(Bucket=bucket or self.bucket, Key=key, Range=f"bytes=0-{MAX_RAW_BYTES - 1}")
            return bytes(answer["Body"].read())
        except ClientError as exc:
            if error_code(exc) in ("NoSuchKey", "NoSuchBucket", "404"):
                raise RawMailMissing(f"s3://{bucket or self.bucket}/{key}") from exc
            raise self._wrap(exc) from exc
        except BotoCoreError as exc:
            raise self._wrap(exc) from exc

    def put_attachment(self, key: str, data: bytes, *, filename: str, content_type: str) -> None:
        """Keep an attachment as evidence. It is stored as opaque bytes (application/octet-stream, to be
        downloaded, never rendered inline), whatever type the sender declared: nobody opens it here."""
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType="application/octet-stream",
                ContentDisposition="attachment",
                # S3 metadata must be ASCII: the declared type and name go in percent-encoded.
                Metadata={"declared-type": _ascii(content_type), "filename": _ascii(filename)},
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._wrap(exc) from exc

    @staticmethod
    def _wrap(exc: Exception) -> Exception:
        return unavailable("S3", exc) if is_transient(exc) else RawMailStoreError(f"S3 call failed: {exc}")


# A download link is good for this long: enough to click, too short to pass around.
DOWNLOAD_LINK_SECONDS = 300


def download_links(attachments: list[dict[str, Any]], s3: Any = None) -> list[dict[str, Any]]:
    """Kept attachments (their stored records) as editors see them: name, type, size and a
    short-lived presigned link that downloads the file under its own name. Signing makes no AWS call
    (the role's s3:GetObject on attachments/ is checked when the link is used)."""
    from urllib.parse import quote

    s3 = s3 or client("s3", signature_version="s3v4")
    shown = []
    for item in attachments:
        filename = str(item.get("filename") or "attachment")
        url = s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": item["bucket"],
                "Key": item["key"],
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}",
                "ResponseContentType": "application/octet-stream",
            },
            ExpiresIn=DOWNLOAD_LINK_SECONDS,
        )
        shown.append(
            {"filename": filename, "content_type": item.get("content_type", ""), "size": item.get("size"), "url": url}
        )
    return shown


class RawMailStoreError(Exception):
    """S3 refused a call for a reason retrying will not fix (permissions, a bug)."""


def _ascii(value: str) -> str:
    from urllib.parse import quote

    return quote(value or "", safe=" ./-_()")[:1024]
