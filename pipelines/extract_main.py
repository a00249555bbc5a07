"""The generic path: any HTML page to its cleaned main text."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from pipelines.clean import clean_paragraphs
from pipelines.extract_select import main_blocks
from pipelines.extract_walk import walk_body


def generic_main_text(tree: LexborHTMLParser) -> str:
    """Main text of a parsed page, paragraphs separated by blank lines."""
    return "\n\n".join(main_paragraphs(tree))


def main_paragraphs(tree: LexborHTMLParser) -> list[str]:
    """The main text's paragraphs with the generic cleaning rules applied."""
    return clean_paragraphs([block.text for block in main_blocks(walk_body(tree))])
