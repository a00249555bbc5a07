"""Generic main-text extractor: one parse, one walk, scored text blocks, best subtree.

The walk turns the DOM into text blocks (the text between two block-level boundaries),
each remembering the element that holds it, how much of it is link text and which
ancestors carry boilerplate hints (nav, footer, share, related, cookie...). Every block
gets a score (long, sentence-like, link-poor text is positive; link lists and hinted
boilerplate are negative); the element whose subtree has the highest total is the main
container, and its blocks, minus the boilerplate inside it, are the main text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.extract_hints import JUNK_TAGS, is_hidden, junk_hint

SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "svg",
        "iframe",
        "button",
        "select",
        "option",
        "textarea",
        "input",
        "head",
        "title",
        "canvas",
        "object",
        "embed",
        "video",
        "audio",
        "picture",
        "img",
        "source",
        "map",
        "dialog",
        "meta",
        "link",
        "math",
        "frameset",
        "frame",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
KIND_OF_TAG = {"p": "p", "li": "li", "td": "cell", "th": "cell", "pre": "pre", "dd": "li"}
KIND_OF_TAG.update({tag: "h" for tag in HEADING_TAGS})
MAX_NODES = 200_000
SPACES = re.compile(r"\s+")
SENTENCE_END = re.compile(r"[.!?。！？:;,\"”»)]")


@dataclass
class Block:
    """A run of text between two block-level boundaries."""

    text: str
    link_chars: int
    owner: int
    kind: str
    junk: tuple[int, ...]
    score: float = 0.0


@dataclass
class PageWalk:
    """What one walk over the body collects: element tree shape plus text blocks."""

    parent_of: list[int] = field(default_factory=list)
    end_of: list[int] = field(default_factory=list)
    junk_elements: set[int] = field(default_factory=set)
    prose_junk: set[int] = field(default_factory=set)
    blocks: list[Block] = field(default_factory=list)


class _Walker:
    """Iterative depth-first walk; recursion would overflow on deeply nested pages."""

    def __init__(self) -> None:
        self.page = PageWalk()
        self.pieces: list[str] = []
        self.link_chars = 0
        self.link_depth = 0
        self.open_blocks: list[tuple[int, str]] = []
        self.junk_stack: list[int] = []

    def flush(self) -> None:
        if not self.pieces:
            return
        text = SPACES.sub(" ", "".join(self.pieces)).strip()
        link_chars, self.pieces, self.link_chars = self.link_chars, [], 0
        if not text:
            return
        owner, tag = self.open_blocks[-1] if self.open_blocks else (0, "div")
        kind = KIND_OF_TAG.get(tag, "other")
        block = Block(text, min(link_chars, len(text)), owner, kind, tuple(self.junk_stack))
        self.page.blocks.append(block)

    def open_element(self, attributes: dict[str, str | None], tag: str) -> int:
        index = len(self.page.parent_of)
        parent = self.open_blocks[-1][0] if self.open_blocks else -1
        self.page.parent_of.append(parent)
        self.page.end_of.append(index + 1)
        hint = junk_hint(attributes) if attributes else 0
        if tag in JUNK_TAGS or hint:
            self.page.junk_elements.add(index)
            self.junk_stack.append(index)
        if tag in JUNK_TAGS or hint == 2:
            self.page.prose_junk.add(index)
        return index

    def walk(self, root: LexborNode) -> PageWalk:
        stack: list[tuple[LexborNode | None, int, str]] = [(root, -1, "")]
        seen = 0
        while stack and seen < MAX_NODES:
            node, closing, tag = stack.pop()
            if node is None:
                self.close(closing, tag)
                continue
            seen += 1
            self.visit(node, stack)
        self.flush()
        return self.page

    def visit(self, node: LexborNode, stack: list[tuple[LexborNode | None, int, str]]) -> None:
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            self.pieces.append(text)
            if self.link_depth:
                self.link_chars += len(text.strip())
            return
        if tag in SKIPPED_TAGS or tag.startswith("-"):
            return
        if tag == "br" or tag == "hr":
            self.flush()
            return
        attributes = node.attributes
        if attributes and is_hidden(attributes):
            return
        self.push_children(node, tag, attributes, stack)

    def push_children(
        self,
        node: LexborNode,
        tag: str,
        attributes: dict[str, str | None],
        stack: list[tuple[LexborNode | None, int, str]],
    ) -> None:
        if tag in BLOCK_TAGS:
            self.flush()
            index = self.open_element(attributes, tag)
            self.open_blocks.append((index, tag))
            stack.append((None, index, tag))
        elif tag == "a":
            self.link_depth += 1
            stack.append((None, -2, tag))
        children = []
        child = node.child
        while child is not None:
            children.append((child, 0, ""))
            child = child.next
        stack.extend(reversed(children))

    def close(self, index: int, tag: str) -> None:
        if index == -2:
            self.link_depth -= 1
            return
        self.flush()
        self.open_blocks.pop()
        self.page.end_of[index] = len(self.page.parent_of)
        if self.junk_stack and self.junk_stack[-1] == index:
            self.junk_stack.pop()


def walk_body(tree: LexborHTMLParser) -> PageWalk:
    """Collect the text blocks of the page's body (or whole document when it has none)."""
    root = tree.body if tree.body is not None else tree.root
    return walk_node(root)


def walk_node(root: LexborNode | None) -> PageWalk:
    """Collect the text blocks under one element."""
    return _Walker().walk(root) if root is not None else PageWalk()
