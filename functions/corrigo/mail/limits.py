"""How much work one received mail may cost: sizes, archive checks and a time budget.

The contact mailbox is open to the whole Internet, so every step that reads a mail is bounded
before it starts: text is cut to its limit before any regular expression sees it, and an archive
(a .docx is a zip) is checked from its central directory — sizes, compression ratio, member count,
nesting — before anything inflates it. Steps that stay within these limits are short; the time
budget, checked between steps, catches what is left (many attachments, a slow machine). The
limits are the mail function's settings (``corrigo.mail.config``, docs/operations.md).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

MiB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """The most one mail may make us read. The defaults are the documented ones."""

    # A complete form is some 20,000 characters (the schema's maxLength values); ten times that is
    # plenty for a letter around it, and little for a hostile mail to spend our time on.
    max_text_chars: int = 200_000
    # html.parser reads about 1 MB of tag-dense HTML a second.
    max_html_chars: int = 1_000_000
    # A long References header in a real thread is a few kilobytes.
    max_header_chars: int = 16_000
    # A .docx larger than this is kept as evidence but not read.
    docx_max_bytes: int = 10 * MiB
    # Archives (a .docx is a zip), checked before anything is inflated:
    archive_max_uncompressed_bytes: int = 32 * MiB  # all members together
    archive_max_ratio: int = 100  # uncompressed / compressed, of the whole and of any member over 1 MiB
    archive_max_members: int = 1_000
    archive_max_nesting: int = 1  # archives inside the archive (Word embeds a chart's .xlsx), none deeper
    # What is read of a .docx that passed: its body's first paragraphs and its tables' first cells.
    docx_max_paragraphs: int = 5_000
    docx_max_table_cells: int = 5_000
    # Seconds one mail may take to read, checked between steps (well under the function's timeout).
    read_budget_seconds: float = 20.0


# A member this small cannot cost much, whatever its ratio (tiny XML parts compress 30 times and more).
RATIO_CHECKED_ABOVE = MiB

_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_LOCAL_HEADER = b"PK\x03\x04"
_LONGEST_COMMENT = 0xFFFF


class ArchiveRefused(ValueError):
    """An archive that is not opened: it would inflate beyond the limits, or it is not an archive."""


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def _declared_member_count(data: bytes) -> int:
    """The member count the end-of-central-directory record declares, read before zipfile parses
    every entry (a 10 MB zip can declare 200,000 members)."""
    tail = data[-(_LONGEST_COMMENT + 22) :]
    position = tail.rfind(_END_OF_CENTRAL_DIRECTORY)
    if position < 0 or len(tail) - position < 22:
        raise ArchiveRefused("not a zip archive (no end of central directory)")
    count = int.from_bytes(tail[position + 10 : position + 12], "little")
    if count == 0xFFFF or tail.rfind(_ZIP64_LOCATOR, 0, position) >= 0:
        # Zip64: the real count is in the Zip64 record; 65,535 is over any sane limit already.
        return 0xFFFF
    return count


def check_archive(data: bytes, limits: ReadLimits, depth: int = 0) -> None:
    """Raise ArchiveRefused unless the zip in ``data`` stays within the limits, nested archives
    included. Reads the central directory and the first bytes of each member; inflates only a
    nested archive (already bounded by its declared size) to check it in turn."""
    members = _declared_member_count(data)
    if members > limits.archive_max_members:
        raise ArchiveRefused(f"{members} members (the limit is {limits.archive_max_members})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ArchiveRefused(f"not a readable zip archive: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.archive_max_members:
            raise ArchiveRefused(f"{len(infos)} members (the limit is {limits.archive_max_members})")
        total = sum(info.file_size for info in infos)
        if total > limits.archive_max_uncompressed_bytes:
            raise ArchiveRefused(
                f"inflates to {total:,} bytes (the limit is {limits.archive_max_uncompressed_bytes:,})"
            )
        packed = sum(info.compress_size for info in infos)
        if total > RATIO_CHECKED_ABOVE and total > limits.archive_max_ratio * max(packed, 1):
            raise ArchiveRefused(f"compressed {total // max(packed, 1)} to 1 (the limit is {limits.archive_max_ratio})")
        for info in infos:
            if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > limits.archive_max_ratio * max(
                info.compress_size, 1
            ):
                raise ArchiveRefused(
                    f"{info.filename} compressed {info.file_size // max(info.compress_size, 1)} to 1"
                    f" (the limit is {limits.archive_max_ratio})"
                )
        for info in infos:
            if info.file_size >= 22 and _starts_like_a_zip(archive, info):
                if depth + 1 > limits.archive_max_nesting:
                    raise ArchiveRefused(f"{info.filename} is an archive nested {depth + 1} deep")
                check_archive(_read(archive, info), limits, depth + 1)


def _starts_like_a_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with archive.open(info) as member:
            head = member.read(4)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
        raise ArchiveRefused(f"{info.filename} cannot be read: {exc}") from exc
    return head in (_LOCAL_HEADER, _END_OF_CENTRAL_DIRECTORY)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)  # zipfile stops at the declared size, and checks the CRC
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
        raise ArchiveRefused(f"{info.filename} cannot be read: {exc}") from exc


# ---- the time budget ------------------------------------------------------------------------------


class TooCostlyToRead(Exception):
    """The mail's time budget ran out before the named step."""

    def __init__(self, step: str, seconds: float) -> None:
        super().__init__(f"too costly to read: {seconds:.0f} s spent before {step}")
        self.step = step


@dataclass
class Budget:
    """Seconds one mail may take, measured from when the budget is made; ``check`` between steps."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(float("inf"))

    def spent(self) -> float:
        return self.clock() - self.started

    def check(self, step: str) -> None:
        """Raise TooCostlyToRead when the budget is spent; the caller keeps what it read so far."""
        spent = self.spent()
        if spent > self.seconds:
            raise TooCostlyToRead(step, spent)
