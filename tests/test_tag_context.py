"""The fast paths of the tagger agree with the plain definitions they replace."""

from __future__ import annotations

import random
from bisect import bisect_right
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipelines.tag_context import SENTENCE_END, sentence_ends, unit_keys
from pipelines.tag_fold import (
    CODE_PAGE,
    blank_separators,
    fold_and_blank,
    fold_case,
    fold_page,
    from_page,
    to_page,
)

SEPARATORS = "\n\t\r\f\v\"'()[]{}<>«»“”„‘’‚/\\|:;,.!?+&=~_#%@^`\u00a0\u2009\u202f–—―…·•-"
MARKS_AND_SPACES = "ab .!?…\n\"'»”’) \u00a0\t"


def regex_ends(text: str, start: int, stop: int) -> list[int]:
    return [match.start() for match in SENTENCE_END.finditer(text, start, stop)]


@pytest.mark.parametrize(
    "text",
    [
        "One. Two! Three? Four… Five",
        "Quoted.\" Next.' Next.» Next.) Next",
        "Full stop.\nLine.\n\nParagraph.",
        "No end.here, 3.5 percent",
        "Ends at the end.",
        "Double.  space",
        ".\u00a0Non-breaking",
        "",
    ],
)
def test_sentence_ends_match_the_regex(text: str):
    assert sentence_ends(text, 0, len(text)) == regex_ends(text, 0, len(text))


def test_sentence_ends_match_the_regex_on_random_text_and_windows():
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(MARKS_AND_SPACES) for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(text))
        stop = rng.randint(start, len(text))
        assert sentence_ends(text, start, stop) == regex_ends(text, start, stop), text


def test_sentence_numbers_count_the_ends_before_each_offset():
    rng = random.Random(8)
    for _ in range(3000):
        text = "".join(rng.choice(MARKS_AND_SPACES) for _ in range(rng.randint(1, 40)))
        starts = sorted({at for at, char in enumerate(text) if char == "a"})
        if not starts:
            continue
        ends = regex_ends(text, starts[0], starts[-1])
        breaks = [end for end in ends if text[end] == "\n"]
        expected = [(bisect_right(ends, start), bisect_right(breaks, start)) for start in starts]
        assert unit_keys(text, starts) == expected, text


def test_unit_keys_number_sentences_and_paragraphs():
    text = "Russia spoke. China listened.\n\nJapan waited."
    starts = [text.index(word) for word in ("Russia", "China", "Japan")]
    keys = unit_keys(text, starts)
    assert keys[0][0] != keys[1][0] and keys[0][1] == keys[1][1]
    assert keys[2][1] != keys[1][1]


@pytest.mark.parametrize(
    "text",
    [
        "Москва: «договор»; цены <выше> = ожидания? да @всех.",
        "Asia-Pacific (APEC), “quoted” — text…",
        "смешанный text: a; b; «c» — d\u00a0e\u2009f",
        "surrogate \ud800 ;",
    ],
    ids=["russian", "english", "mixed", "surrogate"],
)
def test_blank_separators_blanks_every_separator(text: str):
    expected = "".join(" " if char in SEPARATORS else char for char in text)
    assert blank_separators(text) == expected


# Characters in and out of the code page of the fast path, and some that change length
# when lowercased ("İ") or that Python lowercases by context ("Σ").
FOLDING_POOL = "aZ09 .;:@?<>ДЖЁЯжёяЇЎ«»“”–—…·é ÉñÑ№\u00a0\u2009\nİΣσ中😀ßẞ\ufffe"


@pytest.mark.parametrize(
    "text",
    ["Москва: «Договор» — ЁЖ №5", "ASCII: Asia-Pacific (APEC).", "Nguyễn Phú Trọng", "İstanbul"],
    ids=["russian", "ascii", "outside-the-code-page", "longer-when-lowercased"],
)
def test_fold_and_blank_is_fold_case_then_blank_separators(text: str):
    assert fold_and_blank(text) == blank_separators(fold_case(text))
    assert len(fold_and_blank(text)) == len(text)


def test_fold_and_blank_agrees_on_random_text():
    rng = random.Random(11)
    for _ in range(3000):
        length = rng.choice([rng.randint(0, 30), rng.randint(190, 260)])
        text = "".join(rng.choice(FOLDING_POOL) for _ in range(length))
        assert fold_and_blank(text) == blank_separators(fold_case(text)), text


def test_fold_and_blank_agrees_when_threads_fold_at_once():
    # Characters outside the code page are noted per thread while encoding.
    rng = random.Random(5)
    texts = ["".join(rng.choice(FOLDING_POOL) for _ in range(400)) for _ in range(200)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        folded = list(pool.map(fold_and_blank, texts * 5))
    assert folded == [blank_separators(fold_case(text)) for text in texts * 5]


def test_to_page_writes_the_text_in_the_code_page_and_fold_page_folds_it():
    rng = random.Random(17)
    for _ in range(2000):
        text = "".join(rng.choice(FOLDING_POOL) for _ in range(rng.randint(0, 60)))
        written, outside = to_page(text)
        folded, folded_bytes = fold_and_blank(text), fold_page(written)
        assert from_page(text, written, outside) == folded
        assert len(written) == len(folded_bytes) == len(text)
        in_runs = {at for start, end in outside for at in range(start, end)}
        for at, char in enumerate(text):
            if char in CODE_PAGE:
                assert at not in in_runs, text
                assert CODE_PAGE[written[at]] == char, text
                assert CODE_PAGE[folded_bytes[at]] == folded[at], text
            else:
                assert at in in_runs and written[at] == folded_bytes[at] == 0, text
