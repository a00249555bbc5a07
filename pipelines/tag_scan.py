"""Find term spans with RE2: one pass of a compiled automaton over the text's bytes.

The matcher's trie regex runs on Python's backtracking engine, which tries the trie's
branches at every word start: about 20 ns a character, the largest share of tagging a long
article. RE2 compiles the same trie into a DFA that reads each byte once. It runs on bytes,
so the folded text is first mapped to a small alphabet, one byte per character: each letter
the terms spell out keeps a byte of its own, and every other character becomes the byte of
its class (a space, another whitespace, another word character, anything else). That
keeps the offsets of the text and is all the trie regex ever asks of a character.

RE2 has no lookahead. The end of a term, `(?!\\w)`, is written as "a character that is not
a word character" (the text gets one such byte at its end), and the scan resumes on that
character, which may be the space that starts the next term. The spans found are those of
`TermMatcher`'s regex (a test holds the two equal), and the matcher falls back to that
regex where RE2 is missing.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from pipelines.tag_fold import CODE_PAGE, FOLD_BYTES
from pipelines.tag_trie import SEPARATOR, STEM, TrieNode, unit_source

try:
    import re2  # type: ignore[import-untyped]
except ImportError:  # google-re2 is a dependency; tagging still works without it
    re2 = None

# The alphabet of the scanned bytes: four classes, then one byte per letter of the terms.
_OTHER, _SPACE, _OTHER_SPACE, _OTHER_WORD = range(4)
_FIRST_LETTER = 4
_SPACE_BYTE, _END_BYTE = bytes([_SPACE]), bytes([_OTHER])
# RE2 falls back to a slower engine when its DFA outgrows this budget; the shipped
# taxonomy needs a few megabytes.
_DFA_MEMORY = 64 << 20


class ByteScanner:
    """Finds terms in a text written in the code page (`pipelines.tag_fold.to_page`),
    which its byte table folds and maps; build one with `ByteScanner.compile`.

    `match(anchor, scanned, at, size)`, on the bytes `prepare` makes of a text, gives the
    first match in scanned[at:size] as a list of one (start, end), or (-1, -1) for none.
    `TermMatcher.find` explains what a match spans.
    """

    needs_text = False  # whether `prepare` reads the folded text even without outside runs

    def __init__(self, regex: Any, letters: dict[str, int]) -> None:
        # The binding's own `RE2.Match`, not the package's `search`: that wraps each call
        # in a generator and offset bookkeeping for str, three times the cost of a match
        # here, and a text has dozens of matches. The version is pinned in pyproject.toml.
        self.match = regex.Match
        self.anchor = re2._re2.RE2.Anchor.UNANCHORED
        self._letters = letters
        # the byte of every character of the code page, folded
        self._table = bytes(self._byte_of(CODE_PAGE[folded]) for folded in FOLD_BYTES)

    @classmethod
    def compile(cls, root: TrieNode) -> ByteScanner | None:
        """A scanner for the trie's terms, or None where RE2 cannot take them: no RE2, or
        more distinct letters than a byte can number."""
        letters = sorted(root.literals())
        if re2 is None or not root.children or len(letters) > 256 - _FIRST_LETTER:
            return None
        numbered = {letter: _FIRST_LETTER + number for number, letter in enumerate(letters)}
        if any(_class_of(letter) != _OTHER_WORD for letter in letters):
            return None  # the term syntax allows none; the classes below assume it
        options = re2.Options()
        options.encoding = re2.Options.Encoding.LATIN1
        options.max_mem = _DFA_MEMORY
        word = f"{_byte(_OTHER_WORD)}-{_byte(_FIRST_LETTER + len(letters) - 1)}"
        # `TermMatcher`'s trie regex, unit for unit; a term ends before a non-word byte.
        source = _byte(_SPACE) + root.regex(partial(_unit_source, numbered, word), f"[^{word}]")
        regex = re2._re2.RE2(source.encode("latin-1"), options)
        if not regex.ok():
            raise ValueError(f"the term scanner did not compile: {regex.error()}")
        return cls(regex, numbered)

    def prepare(self, folded: str, page_bytes: bytes, outside: list[tuple[int, int]]) -> bytes:
        """The bytes `match` scans for a text.

        `page_bytes` is the text in the code page of `pipelines.tag_fold`, with a NUL for
        each character outside it; `outside` lists the runs of those characters, and
        `folded` (the folded text as a string) is only read when there are some.
        """
        scanned = page_bytes.translate(self._table)
        if outside:
            scanned = self._put_outside(scanned, folded, outside)
        # A space before the first word, as before every other, and after the last, a byte
        # that ends any term: a term's end is then always one character it has to read.
        return b"".join((_SPACE_BYTE, scanned, _END_BYTE))

    def _put_outside(self, scanned: bytes, folded: str, outside: list[tuple[int, int]]) -> bytes:
        data = bytearray(scanned)
        for start, end in outside:
            data[start:end] = bytes(map(self._byte_of, folded[start:end]))
        return bytes(data)

    def _byte_of(self, char: str) -> int:
        return self._letters.get(char) or _class_of(char)


class RegexScanner:
    """`ByteScanner` on Python's `re`, for where RE2 is missing or cannot take the terms:
    the same calls, scanning the folded text itself with the trie regex."""

    needs_text = True
    anchor = None

    def __init__(self, regex: re.Pattern[str]) -> None:
        self._search = regex.search

    @classmethod
    def compile(cls, root: TrieNode) -> RegexScanner:
        return cls(re.compile(" " + root.regex(unit_source, r"\W")))

    def prepare(self, folded: str, page_bytes: bytes, outside: list[tuple[int, int]]) -> str:
        return f" {folded}\0"

    def match(self, anchor: None, text: str, at: int, size: int) -> list[tuple[int, int]]:
        found = self._search(text, at, size)
        return [found.span()] if found else _NO_MATCH


_NO_MATCH = [(-1, -1)]


def _class_of(char: str) -> int:
    if char == " ":
        return _SPACE
    if _WORD.match(char):
        return _OTHER_WORD
    # A hyphen, like other whitespace, is a separator inside a term but no word start.
    if _SEPARATOR_CHAR.match(char):
        return _OTHER_SPACE
    return _OTHER


_WORD = re.compile(r"\w")
_SEPARATOR_CHAR = re.compile(r"[\s\-]")


def _byte(number: int) -> str:
    return f"\\x{number:02x}"


def _unit_source(letters: dict[str, int], word: str, unit: str) -> str:
    if unit == SEPARATOR:
        return f"[{_byte(_SPACE)}{_byte(_OTHER_SPACE)}]+"
    if unit == STEM:
        return f"[{word}]*"
    return _byte(letters[unit])
