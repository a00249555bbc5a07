"""Choose the main container among the walked blocks and keep its readable text."""

from __future__ import annotations

import re

from pipelines.extract_walk import Block, PageWalk

SENTENCE_MARK = re.compile(r"[.!?。！？,;:，、]")
# A hinted wrapper holding this share of the page's text is the page, not furniture.
FORGIVEN_JUNK_SHARE = 0.4
LINK_LIST_DENSITY = 0.5
SHORT_BLOCK = 30
PROSE_LENGTH = 80
FORGIVEN_PROSE = 300


def is_prose(block: Block) -> bool:
    """Long, link-poor, punctuated text: what an article paragraph looks like."""
    length = len(block.text)
    return (
        length >= PROSE_LENGTH
        and block.link_chars < length * 0.25
        and SENTENCE_MARK.search(block.text) is not None
    )


def is_forgiven(index: int, page: PageWalk, chars: list[float], prose: list[float]) -> bool:
    """A hinted element that holds most of the page, or (if its hint allows) reads as prose."""
    if chars[index] > page_total(chars, page) * FORGIVEN_JUNK_SHARE:
        return True
    if index in page.prose_junk:
        return False
    return prose[index] >= max(FORGIVEN_PROSE, chars[index] * 0.6)


def page_total(chars: list[float], page: PageWalk) -> float:
    return chars[0] if chars else 0.0


def active_junk(page: PageWalk) -> set[int]:
    """Junk-hinted elements, minus wrappers that turn out to hold the content."""
    chars = subtree_totals(page, [float(len(block.text)) for block in page.blocks])
    prose = subtree_totals(page, [len(b.text) if is_prose(b) else 0.0 for b in page.blocks])
    return {index for index in page.junk_elements if not is_forgiven(index, page, chars, prose)}


def is_junk(block: Block, junk: set[int], inside: int = -1) -> bool:
    """Whether a hinted element at or below `inside` holds the block."""
    return any(index in junk and index >= inside for index in block.junk)


def block_score(block: Block, junk: set[int]) -> float:
    """Positive for prose, negative for link lists and hinted furniture."""
    length = len(block.text)
    if is_junk(block, junk):
        return -float(length)
    density = block.link_chars / length
    if density > LINK_LIST_DENSITY:
        return -length * density
    value = length * (1.0 - density)
    if block.kind == "h":
        return min(value, 20.0)
    if length < SHORT_BLOCK and not SENTENCE_MARK.search(block.text):
        return value * 0.2
    return value


def subtree_totals(page: PageWalk, values: list[float]) -> list[float]:
    """Sum each block's value into its owner and every ancestor of the owner."""
    totals = [0.0] * len(page.parent_of)
    parent_of = page.parent_of
    for block, value in zip(page.blocks, values, strict=True):
        index = block.owner
        while index >= 0:
            totals[index] += value
            index = parent_of[index]
    return totals


def choose_container(page: PageWalk) -> tuple[int, set[int]]:
    """The element whose subtree scores highest, with the junk that still counts."""
    junk = active_junk(page)
    scores = subtree_totals(page, [block_score(block, junk) for block in page.blocks])
    best = max(range(len(scores)), key=scores.__getitem__)
    return best, junk


def keeps_block(block: Block, junk: set[int], container: int) -> bool:
    """Inside the container: drop hinted furniture and link lists."""
    if is_junk(block, junk, container):
        return False
    return block.link_chars / len(block.text) <= LINK_LIST_DENSITY


def main_blocks(page: PageWalk) -> list[Block]:
    """The blocks of the best container that read as content, in page order."""
    if not page.blocks:
        return []
    container, junk = choose_container(page)
    end = page.end_of[container]
    inside = [block for block in page.blocks if container <= block.owner < end]
    return [block for block in inside if keeps_block(block, junk, container)]
