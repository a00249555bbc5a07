"""Normalise a text for term matching: lowercase it and blank the punctuation between words.

Lengths never change, so an offset in the normalised text is an offset in the original.
Punctuation that ends a word is blanked to a space, in texts and terms alike: every word then
starts after a space, and a regex that begins with a literal space lets the engine jump from
word to word instead of testing every character (see `pipelines.tag_matcher`).
"""

from __future__ import annotations

import codecs
import threading

SEPARATORS = "\n\t\r\f\v\"'()[]{}<>«»“”„‘’‚/\\|:;,.!?+&=~_#%@^`\u00a0\u2009\u202f–—―…·•-"
_ASCII_SEPARATORS = "".join(char for char in SEPARATORS if char.isascii())
_BLANKS = str.maketrans(dict.fromkeys(SEPARATORS, " "))
_SHORT_TEXT = 200
_CLASHING_SEPARATORS = tuple((char, char.encode()) for char in ":;<=>?@")
_PLAIN_SEPARATORS = "".join(char for char in SEPARATORS if char not in ":;<=>?@")


def fold_and_blank(text: str) -> str:
    """`blank_separators(fold_case(text))`, in three passes of C code for most texts.

    `str.lower` and the separator search each take as long as all three passes on a
    Cyrillic text: each character of a text written in the code page below (ASCII,
    Cyrillic, their punctuation) is encoded as one byte, the bytes are translated through a
    table that lowercases letters and blanks separators, and decoded back. The few
    characters outside the code page (a degree sign, an arrow, an emoji: one web article in
    four has some) are folded one by one afterwards.
    """
    data, runs = to_page(text)
    return from_page(text, data, runs)


def to_page(text: str) -> tuple[bytes, list[tuple[int, int]]]:
    """`text` as written, in bytes of the code page, with a NUL for each character outside
    it; and the runs of those characters. `fold_page` folds the bytes."""
    if text.isascii():
        return text.encode("ascii"), []
    runs: list[tuple[int, int]] = []
    _outside.runs = runs
    return codecs.charmap_encode(text, _NOTE_OUTSIDE, _PAGE_ENCODING)[0], runs


def fold_page(data: bytes) -> bytes:
    """Bytes of the code page folded as `fold_and_blank` folds their characters."""
    return data.translate(FOLD_BYTES)


def from_page(text: str, data: bytes, runs: list[tuple[int, int]]) -> str:
    """`fold_and_blank(text)`, from the bytes and runs of `to_page(text)`."""
    folded = page_text(fold_page(data))
    return _fold_outside(text, folded, runs) if runs else folded


def page_text(data: bytes) -> str:
    """Bytes of the code page as a string."""
    if data.isascii():
        return data.decode("ascii")
    return codecs.charmap_decode(data, "strict", _PAGE)[0]


def _fold_outside(text: str, folded: str, runs: list[tuple[int, int]]) -> str:
    """Put back, folded, the runs of characters the code page could not hold.

    No separator lies outside the code page, nor lowercases to one, so each such character
    folds on its own, as `fold_case` folds it, except a capital sigma: Python lowercases it
    by its place in the word, so a text holding one takes the general path.
    """
    pieces: list[str] = []
    done = 0
    for start, end in runs:
        run = text[start:end]
        if "\u03a3" in run:
            return blank_separators(fold_case(text))
        pieces += (folded[done:start], "".join(char.lower()[:1] or char for char in run))
        done = end
    pieces.append(folded[done:])
    return "".join(pieces)


# Where the encoder met characters outside the code page; per thread, since the error
# handler is registered once for the whole process.
_outside = threading.local()
_NOTE_OUTSIDE = "pivotwatch-fold-outside"


def _note_outside(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    _outside.runs.append((error.start, error.end))
    return "\0" * (error.end - error.start), error.end


codecs.register_error(_NOTE_OUTSIDE, _note_outside)


def fold_case(text: str) -> str:
    """Lowercase without changing the length, so offsets stay valid."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(char.lower()[:1] or char for char in text)


def blank_separators(text: str) -> str:
    if len(text) <= _SHORT_TEXT:
        # One pass through a table beats testing every separator on a title or a term.
        return text.translate(_BLANKS)
    if not text.isascii():
        return _blank_wide(text)
    for separator in _ASCII_SEPARATORS:
        if separator in text:
            text = text.replace(separator, " ")
    return text


def _blank_wide(text: str) -> str:
    """blank_separators for a text with non-ASCII characters.

    `";" in text` looks for the separator's low byte first, and in lowercase Cyrillic
    (U+0430..U+044F) that byte is shared with `:;<=>?@`: the search stops at almost every
    letter. Those are looked for in the UTF-8 bytes, where no letter shares a byte with them.
    """
    data = text.encode("utf-8", "surrogatepass")
    for separator, encoded in _CLASHING_SEPARATORS:
        if encoded in data:
            text = text.replace(separator, " ")
    for separator in _PLAIN_SEPARATORS:
        if separator in text:
            text = text.replace(separator, " ")
    return text


def _code_page() -> str:
    """256 characters, one per byte: ASCII, the Cyrillic of Russian and its neighbours, the
    punctuation around them, and the accented letters most often met in names."""
    ascii_chars = "".join(map(chr, range(128)))
    cyrillic = "".join(map(chr, range(0x400, 0x460)))
    punctuation = "".join(char for char in SEPARATORS if not char.isascii())
    accented = "éÉèÈáÁüÜöÖçÇñÑ№"
    page = ascii_chars + cyrillic + punctuation + accented
    if len(page) != 256 or len(set(page)) != 256:
        raise RuntimeError(f"the code page holds {len(set(page))} distinct characters")
    return page


def _fold_bytes(page: str) -> bytes:
    """The byte of each character's lowercase form, or of a space for a separator."""
    folded = (" " if char in SEPARATORS else char.lower() for char in page)
    return bytes(page.index(char) for char in folded)


_PAGE = _code_page()
CODE_PAGE = _PAGE  # the character of each byte
_PAGE_ENCODING = codecs.charmap_build(_PAGE)
# the byte of each byte's character folded
FOLD_BYTES = _fold_bytes(_PAGE)
