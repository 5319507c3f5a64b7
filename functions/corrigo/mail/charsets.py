"""Turn mail bytes into text when the declared charset is missing, wrong or an alias Python lacks.

Chinese mail is the common case here: clients label GBK or GB18030 bytes as GB2312, Korean
Outlook writes ``ks_c_5601-1987``, Taiwanese and Hong Kong mail says ``big5`` for Big5-HKSCS, and
some relays re-encode a Big5 body as if it were Latin-1. Every function here returns text; none
raises on any bytes.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

# Declared label (lower case) -> the codec that reads what senders really put under it.
# GB18030 is a superset of GBK, which is a superset of GB2312; cp949 of EUC-KR; Big5-HKSCS of
# Big5; cp932 (Windows-31J) of Shift_JIS including the carriers' and Microsoft's extensions.
_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb18030": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    # Latin-1 labels hide Windows "smart quotes" in 0x80-0x9f; cp1252 reads both.
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}

# Labels that say nothing about 8-bit bytes: when such bytes appear, guess instead.
_UNINFORMATIVE = {"", "us-ascii", "ascii", "unknown", "unknown-8bit", "x-unknown", "default", "charset"}

# What undeclared or unreadable bytes most likely are for this site's senders, in order.
FALLBACKS = ("utf-8", "gb18030")

_CJK_MULTIBYTE = {"gb18030", "big5hkscs", "cp949", "cp932", "euc_jp"}


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a declared charset label, or None when it is unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    if cleaned in _UNINFORMATIVE:
        return None
    name = _ALIASES.get(cleaned, cleaned)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: the declared charset if it reads them, else the usual suspects, else Latin-1."""
    codec = codec_for(declared)
    # ISO-2022 and UTF-7 text is 7-bit too, so plain ASCII is only safe for other charsets.
    if data.isascii() and b"\x1b" not in data and codec != "utf-7":
        return data.decode("ascii")
    if codec is not None:
        text = _try_decode(data, codec)
        if text is not None:
            return text
        repaired = _undo_latin1_detour(data, codec)
        if repaired is not None:
            return repaired
    for fallback in FALLBACKS:
        text = _try_decode(data, fallback)
        if text is not None:
            return text
    if codec is not None:
        # The declared charset is still the best guess for mostly-right bytes: keep what it reads.
        return data.decode(codec, errors="replace")
    return data.decode("cp1252", errors="replace") if _cp1252_reads(data) else data.decode("latin-1")


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _cp1252_reads(data: bytes) -> bool:
    return _try_decode(data, "cp1252") is not None


def _undo_latin1_detour(data: bytes, codec: str) -> str | None:
    """Read bytes that a relay decoded as Latin-1 and re-encoded as UTF-8 (seen with Big5 mail).

    The UTF-8 then holds only U+0080..U+00FF; encoding it back to Latin-1 gives the original
    bytes, which the declared multi-byte charset reads without error.
    """
    if codec not in _CJK_MULTIBYTE:
        return None
    as_utf8 = _try_decode(data, "utf-8")
    if as_utf8 is None or any(ord(char) > 0xFF for char in as_utf8):
        return None
    return _try_decode(as_utf8.encode("latin-1"), codec)


def repair_latin1_detour(text: str, codec_hint: str | None) -> str:
    """The same repair for a header already read as UTF-8, guided by the body's declared charset."""
    codec = codec_for(codec_hint)
    if codec is None or codec not in _CJK_MULTIBYTE or text.isascii():
        return text
    high = [char for char in text if ord(char) > 0x7F]
    # A few accented letters are real Latin text; a mojibake run of a CJK line is long.
    if len(high) < 4 or any(ord(char) > 0xFF for char in high):
        return text
    original = text.encode("latin-1")
    return _try_decode(original, codec) or text


# --- RFC 2047 encoded words -------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]+?)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*?)\?=")


def lenient_b64decode(text: str) -> bytes:
    """Base64 with missing, extra or misplaced padding and stray characters, as mailers write it."""
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
    cleaned = cleaned[: len(cleaned) - (len(cleaned) % 4 == 1)]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return b""


def _word_bytes(encoding: str, payload: str) -> bytes:
    if encoding.lower() == "b":
        return lenient_b64decode(payload)
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", errors="replace"), header=False)


def decode_encoded_words(text: str) -> str:
    """Decode RFC 2047 words anywhere in a header, joining adjacent words before decoding.

    Joining matters: senders split one UTF-8 or GBK character across two words. Whitespace
    between adjacent encoded words is dropped, as the RFC says.
    """
    pieces: list[str] = []
    position = 0
    pending: list[bytes] = []
    pending_charset: str | None = None

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            pieces.append(decode_bytes(b"".join(pending), pending_charset))
        pending, pending_charset = [], None

    for match in _ENCODED_WORD.finditer(text):
        gap = text[position : match.start()]
        charset = match.group(1)
        follows_a_word = bool(pending) and not gap.strip()
        if pending and (not follows_a_word or charset.lower() != (pending_charset or "").lower()):
            flush()
        if not follows_a_word:
            pieces.append(gap)
        pending.append(_word_bytes(match.group(2), match.group(3)))
        pending_charset = charset
        position = match.end()
    flush()
    pieces.append(text[position:])
    return "".join(pieces)


def undo_surrogates(value: str) -> str:
    """Decode the 8-bit bytes the parser kept as surrogates (undeclared raw bytes in a header)."""
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    return decode_bytes(value.encode("utf-8", errors="surrogateescape"))


def decode_raw_header(value: str, codec_hint: str | None = None) -> str:
    """A header as the parser stored it (8-bit bytes kept as surrogates) to readable, unfolded text."""
    text = undo_surrogates(value)
    text = repair_latin1_detour(text, codec_hint)
    unfolded = re.sub(r"\r?\n[ \t]*", " ", text)
    return decode_encoded_words(unfolded).strip()
