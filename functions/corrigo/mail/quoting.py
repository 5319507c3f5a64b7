"""Set aside the quoted original and the signature of a reply, keeping what the person wrote.

Replies to our acknowledgements quote the request back; extracting fields from the quote
would resurrect old values. Clients quote in two ways: ``>``-prefixed lines under an
attribution ("On … wrote:", "在 … 写道："), where new text may follow the quote, and a
header block ("-----Original Message-----", "原始邮件", "发件人: … 发送时间: …") after which
everything is the old mail.
"""

from __future__ import annotations

import re

# Every pattern here is matched against one line, which can be 200,000 characters of anything, so
# each runs in linear time (issue 9): no two quantifiers may share characters where one can give
# them back to the other. Leading and trailing blanks are taken possessively (``\s*+``); a line
# that is a run of spaces, "*", "-" or "于" then costs one pass, not one per character.
_ATTRIBUTION = re.compile(
    r"^\s*+(?:on\b.*\bwrote|在.*(?:写道|寫道)|.*\b(?:schrieb|a écrit|escribió)|[^于]*+于.*(?:写道|寫道))\s*+[:：]?\s*+$",
    re.IGNORECASE,
)
# An attribution that a client wrapped over two lines ("On Mon, … <a@b.c>" / "wrote:").
_ATTRIBUTION_START = re.compile(r"^\s*+(?:on\b|在)", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"^\s*+.*(?:wrote|写道|寫道)\s*+[:：]\s*+$", re.IGNORECASE)

# After one of these lines the rest of the text is the original message.
_ORIGINAL_DIVIDER = re.compile(
    r"^\s*+-{2,}+\s*+(?:original message|forwarded message|原始邮件|原始郵件|转发邮件|original)\s*+-{2,}+\s*+$",
    re.IGNORECASE,
)
_HEADER_BLOCK_START = re.compile(r"^\s*+\**+\s*+(?:发件人|寄件者|寄件人|from)\s*+\**+\s*+[:：]", re.IGNORECASE)
_HEADER_BLOCK_FOLLOWER = re.compile(
    r"^\s*+\**+\s*+(?:发送时间|发送日期|日期|时间|寄件日期|收件人|抄送|主题|主旨|sent|date|to|cc|subject)\s*+\**+\s*+[:：]",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$")
_QUOTED = re.compile(r"^\s*+[>＞]")


def _is_header_block(lines: list[str], index: int) -> bool:
    """A "From:" line opens a quoted header block only when other header lines follow it."""
    if not _HEADER_BLOCK_START.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 5] if line.strip()]
    return any(_HEADER_BLOCK_FOLLOWER.match(line) for line in following)


def _attribution_length(lines: list[str], index: int) -> int:
    """How many lines the attribution at ``index`` takes (0 when there is none)."""
    if _ATTRIBUTION.match(lines[index]):
        return 1
    if index + 1 < len(lines) and _ATTRIBUTION_START.match(lines[index]) and _ATTRIBUTION_END.match(lines[index + 1]):
        return 2
    return 0


def strip_quoted(text: str) -> str:
    """The text without quoted replies, quoted header blocks and the signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _SIGNATURE.match(line) or _ORIGINAL_DIVIDER.match(line) or _is_header_block(lines, index):
            break
        attribution = _attribution_length(lines, index)
        if attribution:
            after = index + attribution
            next_text = next((candidate for candidate in lines[after:] if candidate.strip()), "")
            if not _QUOTED.match(next_text):
                break  # Outlook-style: the old mail follows unmarked
            index = after
            continue
        if not _QUOTED.match(line):
            kept.append(line)
        index += 1
    return "\n".join(kept).strip()


def drop_header_blocks(text: str) -> str:
    """The text without quoted "From: / Date: / Subject:" blocks (a forward's header lines).

    Used when a forwarded form is read from the whole text: "Date: Mon, 2 Mar" must not be
    taken for the article's publication date.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _is_header_block(lines, index):
            index += 1
            while index < len(lines) and _HEADER_BLOCK_FOLLOWER.match(lines[index]):
                index += 1
            continue
        kept.append(lines[index])
        index += 1
    return "\n".join(kept)
