"""Bytes to text: BOM, then the Content-Type charset, then <meta charset>, then a detector.

Russian sites can still serve windows-1251 or KOI8-R, Japanese ones Shift_JIS or EUC-JP,
and some declare one encoding while sending another. A declared charset is trusted only
if the bytes decode cleanly with it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
# Browsers read these labels as their supersets; so must we, or curly quotes break.
SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
}


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(body: bytes, label: str | None) -> str | None:
    codec = _codec(label) if label else None
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def detect_encoding(body: bytes, content_type: str | None = None) -> str:
    """The name of the encoding the page is in, by the order described above."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return name
    header = HEADER_CHARSET.search(content_type or "")
    meta = META_CHARSET.search(body[:4096])
    for label in (
        header.group(1) if header else None,
        meta.group(1).decode("ascii", "ignore") if meta else None,
    ):
        if label and _try(body, label) is not None:
            return _codec(label) or "utf-8"
    if _try(body, "utf-8") is not None:
        return "utf-8"
    best = from_bytes(body[:200_000]).best()
    return best.encoding if best else "cp1252"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page to NFC text; undecodable bytes become U+FFFD, never an error."""
    encoding = detect_encoding(body, content_type)
    text = body.decode(encoding, errors="replace")
    return unicodedata.normalize("NFC", text.lstrip("\ufeff"))
