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
PROSE_PAGE = 1500
SMALL_RESULT = 250
SIBLING_SHARE = 0.3


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


def holds_most_text(page: PageWalk, elements: list[int]) -> bool:
    """Whether any of `elements` holds enough of the page's text to be forgiven as junk."""
    if not elements:
        return False
    chars = subtree_totals(page, [float(len(block.text)) for block in page.blocks])
    limit = page_total(chars, page) * FORGIVEN_JUNK_SHARE
    return any(chars[index] > limit for index in elements)


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


def block_score(block: Block, junk: set[int], listing: bool = False) -> float:
    """Positive for prose, negative for link lists and hinted furniture."""
    length = len(block.text)
    if is_junk(block, junk):
        return -float(length)
    density = block.link_chars / length
    if density > LINK_LIST_DENSITY:
        # A menu entry is a word or two; a listing entry is a title worth keeping.
        if block.text.count(" ") < 3:
            return -length * density
        return 0.5 * length if listing else -0.2 * length
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


def choose_containers(page: PageWalk, junk: set[int], listing: bool) -> list[int]:
    """The element whose subtree scores highest, plus siblings that score nearly as well.

    Siblings matter where a page splits its content over adjacent boxes (a product's
    description and its specifications, an article's body and its key facts).
    """
    values = [block_score(block, junk, listing) for block in page.blocks]
    scores = subtree_totals(page, values)
    best = max(range(len(scores)), key=scores.__getitem__)
    parent = page.parent_of[best]
    if parent < 0 or scores[best] <= 0:
        return [best]
    floor = scores[best] * SIBLING_SHARE
    siblings = range(parent + 1, page.end_of[parent])
    return [i for i in siblings if page.parent_of[i] == parent and (i == best or scores[i] > floor)]


def keeps_block(block: Block, junk: set[int], container: int, prose_page: bool) -> bool:
    """Inside the container: drop hinted furniture, and link lists around prose."""
    if is_junk(block, junk, container):
        return False
    if block.link_chars / len(block.text) <= LINK_LIST_DENSITY:
        return True
    return not prose_page and block.text.count(" ") >= 3


def main_blocks(page: PageWalk) -> list[Block]:
    """The blocks of the best container that read as content, in page order.

    Pages with little prose (listings, shops, forums) get a second pass in which
    link-heavy entries count as content; the longer result wins.
    """
    if not page.blocks:
        return []
    junk = active_junk(page)
    blocks = container_blocks(page, junk, listing=False)
    if sum(len(block.text) for block in blocks) >= SMALL_RESULT:
        return blocks
    wider = container_blocks(page, junk, listing=True)
    return max(blocks, wider, key=lambda found: sum(len(block.text) for block in found))


def container_blocks(page: PageWalk, junk: set[int], listing: bool) -> list[Block]:
    """The readable blocks of the best-scoring containers."""
    inside: list[Block] = []
    starts: list[int] = []
    for container in choose_containers(page, junk, listing):
        end = page.end_of[container]
        found = [block for block in page.blocks if container <= block.owner < end]
        inside += found
        starts += [container] * len(found)
    prose_page = not listing and sum(len(b.text) for b in inside if is_prose(b)) >= PROSE_PAGE
    kept = [
        keeps_block(b, junk, start, prose_page) for b, start in zip(inside, starts, strict=True)
    ]
    drop_orphan_labels(inside, kept)
    return [block for block, keep in zip(inside, kept, strict=True) if keep]


def is_label(block: Block) -> bool:
    """A heading or a short caption-like line that introduces what follows it."""
    if block.kind == "cell":
        return False
    return block.kind == "h" or (
        len(block.text) < SHORT_BLOCK and not SENTENCE_MARK.search(block.text)
    )


def drop_orphan_labels(blocks: list[Block], kept: list[bool]) -> None:
    """Drop labels whose following block was dropped ("Related stories" + its links),
    and a heading left last with nothing under it."""
    filtered = kept.copy()
    for index, block in enumerate(blocks):
        if not kept[index] or not is_label(block):
            continue
        if index + 1 < len(blocks):
            kept[index] = filtered[index + 1]
        else:
            kept[index] = block.kind != "h"


def all_readable_blocks(page: PageWalk) -> list[Block]:
    """Every block not under hinted furniture: for bodies a site's own rules located."""
    if not page.blocks:
        return []
    junk = active_junk(page)
    return [block for block in page.blocks if not is_junk(block, junk, 1)]
