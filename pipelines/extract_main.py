"""The generic path: any HTML page to its cleaned main text."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from pipelines.extract_finish import CleaningInput, finish_text
from pipelines.extract_select import all_readable_blocks, holds_most_text, main_blocks
from pipelines.extract_walk import walk_body, walk_node


def generic_main_text(tree: LexborHTMLParser) -> str:
    """Main text of a parsed page, paragraphs separated by blank lines."""
    return "\n\n".join(finish_text(main_paragraphs(tree), CleaningInput()).paragraphs)


def main_paragraphs(tree: LexborHTMLParser) -> list[str]:
    """The main text's paragraphs as found, before any cleaning.

    The first walk summarises page furniture (nav, footer...) without walking into it;
    if such furniture turns out to hold most of the page, the page is walked in full.
    """
    page = walk_body(tree, summarise_furniture=True)
    if holds_most_text(page, page.summarised):
        page = walk_body(tree)
    return [block.text for block in main_blocks(page)]


def node_paragraphs(node: LexborNode) -> list[str]:
    """Paragraphs of an element the site's rules point at (no container search)."""
    return [block.text for block in all_readable_blocks(walk_node(node))]


def select_all(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """Elements matching a CSS selector from a source's rules; a selector the parser
    rejects matches nothing (the page still gets the generic extractor)."""
    try:
        return list(tree.css(selector))
    except SelectolaxError:
        return []


def remove_selected(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> None:
    """Drop the elements a source's `remove` selectors name."""
    for selector in selectors:
        for node in select_all(tree, selector):
            node.decompose()


def fragment_paragraphs(fragment_html: str, remove: tuple[str, ...] = ()) -> list[str]:
    """Paragraphs of an HTML fragment such as a WordPress `content.rendered`."""
    tree = LexborHTMLParser(fragment_html)
    remove_selected(tree, remove)
    return node_paragraphs(tree.body) if tree.body is not None else []
