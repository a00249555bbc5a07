"""Generic main-text extractor: one parse, one walk, scored text blocks, best subtree.

The walk turns the DOM into text blocks (the text between two block-level boundaries),
each remembering the element that holds it, how much of it is link text and which
ancestors carry boilerplate hints (nav, footer, share, related, cookie...). Every block
gets a score (long, sentence-like, link-poor text is positive; link lists and hinted
boilerplate are negative); the element whose subtree has the highest total is the main
container, and its blocks, minus the boilerplate inside it, are the main text.
"""

from __future__ import annotations

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
MAX_NODES = 100_000
BREAK_TAGS = frozenset(["br", "hr"])
LINK_END = -2


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
    summarised: list[int] = field(default_factory=list)


class _Walker:
    """Iterative depth-first walk; recursion would overflow on deeply nested pages."""

    def __init__(self, summarise_furniture: bool) -> None:
        self.summarise_furniture = summarise_furniture
        self.page = PageWalk()
        self.pieces: list[str] = []
        self.link_chars = 0
        self.link_depth = 0
        self.open_blocks: list[tuple[int, str]] = []
        self.junk_stack: list[int] = []

    def flush(self) -> None:
        if not self.pieces:
            return
        text = " ".join("".join(self.pieces).split())
        link_chars, self.link_chars = self.link_chars, 0
        self.pieces.clear()
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
        # Stack items are nodes to visit, or ints marking where an element closes
        # (its index, or LINK_END); a loop instead of recursion for deep pages.
        stack: list[LexborNode | int] = [root]
        pop, pieces = stack.pop, self.pieces  # locals: this loop runs once per node
        seen = 0
        while stack and seen < MAX_NODES:
            item = pop()
            if item.__class__ is int:
                self.close(item)  # type: ignore[arg-type]
                continue
            seen += 1
            tag = item.tag or "-"  # type: ignore[union-attr]
            if tag == "-text":
                text = item.text_content or ""  # type: ignore[union-attr]
                pieces.append(text)
                if self.link_depth:
                    self.link_chars += len(text.strip())
            elif tag in BREAK_TAGS:
                self.flush()
            elif tag not in SKIPPED_TAGS and tag[0] != "-":
                self.enter(item, tag, stack)  # type: ignore[arg-type]
        self.flush()
        # Elements still open when the node budget ran out end where the walk ended.
        for index, _ in self.open_blocks:
            self.page.end_of[index] = len(self.page.parent_of)
        return self.page

    def enter(self, node: LexborNode, tag: str, stack: list[LexborNode | int]) -> None:
        """Open an element and queue its children (last first, so they pop in order)."""
        if tag in BLOCK_TAGS:
            attributes = node.attributes
            if attributes and is_hidden(attributes):
                return
            if self.pieces:
                self.flush()
            index = self.open_element(attributes, tag)
            self.open_blocks.append((index, tag))
            stack.append(index)
            if self.summarise_furniture and index in self.page.prose_junk:
                self.summarise(node, index)
                return
        elif tag == "a":
            self.link_depth += 1
            stack.append(LINK_END)
        child = node.last_child
        while child is not None:
            stack.append(child)
            child = child.prev

    def summarise(self, node: LexborNode, index: int) -> None:
        """One block for furniture that only reading most of the page could forgive
        (<nav>, <footer>, comment threads, related boxes...): its text only counts
        against its ancestors, so the C parser's text() replaces a Python walk of it."""
        text = " ".join((node.text(deep=True) or "").split())
        if text:
            block = Block(text, len(text), index, "other", tuple(self.junk_stack))
            self.page.blocks.append(block)
        self.page.summarised.append(index)

    def close(self, index: int) -> None:
        if index == LINK_END:
            self.link_depth -= 1
            return
        if self.pieces:
            self.flush()
        self.open_blocks.pop()
        self.page.end_of[index] = len(self.page.parent_of)
        if self.junk_stack and self.junk_stack[-1] == index:
            self.junk_stack.pop()


def walk_body(tree: LexborHTMLParser, summarise_furniture: bool = False) -> PageWalk:
    """Collect the text blocks of the page's body (or whole document when it has none)."""
    root = tree.body if tree.body is not None else tree.root
    return walk_node(root, summarise_furniture)


def walk_node(root: LexborNode | None, summarise_furniture: bool = False) -> PageWalk:
    """Collect the text blocks under one element; `summarise_furniture` turns each
    piece of furniture (nav, footer, comments...) into one block instead of walking it."""
    if root is None:
        return PageWalk()
    return _Walker(summarise_furniture).walk(root)
