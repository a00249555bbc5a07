"""Quality gate: precision, recall and F1 of relevance and themes on the labelled set.

Run `pytest tests/test_tag_quality.py -s` to see the tables, or run this file as a script.
Half A was used to tune the taxonomy first, halves B and C later; half D was written and
labelled blind, without running the tagger, and has not been used for tuning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.settings import load_settings
from pipelines.tag import Tagger, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "tagging"
TAXONOMY = ROOT / "config" / "themes.toml"
SETTINGS = ROOT / "config" / "settings.toml"
HALVES = ("half_a", "half_b", "half_c", "half_d")
MIN_RELEVANCE_F1 = 0.95
MIN_THEME_MICRO_F1 = 0.85


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    relevant: bool
    themes: frozenset[str]
    lang: str


@dataclass
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        self.true_positive += expected and predicted
        self.false_positive += predicted and not expected
        self.false_negative += expected and not predicted

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def parse_record(record: str) -> Article:
    head, _, text = record.partition("\n---\n")
    lines = head.strip().splitlines()
    fields = dict(line.split(":", 1) for line in lines[1:])
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    themes = frozenset(name.strip() for name in fields["themes"].split(",") if name.strip())
    relevant = {"yes": True, "no": False}[fields["relevant"]]
    title, lang = fields["title"], fields["lang"]
    return Article(lines[0].strip(), title, text.strip(), relevant, themes, lang)


def read_half(name: str) -> list[Article]:
    records = (DATA / f"{name}.txt").read_text(encoding="utf-8").split("### ")
    return [parse_record(record) for record in records if record.strip()]


def read_all() -> list[Article]:
    return [article for half in HALVES for article in read_half(half)]


@dataclass
class Evaluation:
    relevance: Counts
    themes: dict[str, Counts]
    errors: list[str]

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.themes.values():
            total.true_positive += counts.true_positive
            total.false_positive += counts.false_positive
            total.false_negative += counts.false_negative
        return total


def evaluate(tagger: Tagger, articles: list[Article]) -> Evaluation:
    theme_ids = [theme.id for theme in tagger.taxonomy.themes]
    evaluation = Evaluation(Counts(), {theme: Counts() for theme in theme_ids}, [])
    for article in articles:
        result = tagger.tag(article.text, title=article.title)
        evaluation.relevance.add(article.relevant, result.relevant)
        predicted = {theme.id for theme in result.themes}
        for theme in theme_ids:
            evaluation.themes[theme].add(theme in article.themes, theme in predicted)
        evaluation.errors += _describe_errors(article, result.relevant, result.relevance, predicted)
    return evaluation


def _describe_errors(article: Article, relevant: bool, score: float, predicted: set) -> list[str]:
    errors = []
    if relevant != article.relevant:
        errors.append(f"{article.id}: relevant={relevant} ({score:.2f}), label {article.relevant}")
    missed, extra = sorted(article.themes - predicted), sorted(predicted - article.themes)
    if missed or extra:
        errors.append(f"{article.id}: missed {missed} extra {extra}")
    return errors


def format_table(name: str, evaluation: Evaluation) -> str:
    header = ["| label | P | R | F1 | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    rows = [f"## {name}", "", *header]
    rows.append(_row("relevance", evaluation.relevance))
    rows += [_row(theme, counts) for theme, counts in evaluation.themes.items()]
    rows.append(_row("themes (micro)", evaluation.micro))
    return "\n".join(rows)


def _row(label: str, counts: Counts) -> str:
    c = counts
    return (
        f"| {label} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
        f"| {c.true_positive} | {c.false_positive} | {c.false_negative} |"
    )


def shipped_tagger() -> Tagger:
    """The tagger as the shipped configuration builds it: its thresholds are part of the bar."""
    tagging = load_settings(SETTINGS).tagging
    return Tagger(load_taxonomy(TAXONOMY), tagging.relevance_threshold, tagging.theme_threshold)


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return shipped_tagger()


def test_labelled_set_meets_its_own_rules() -> None:
    articles = read_all()
    assert len(articles) >= 100
    assert sum(not article.relevant for article in articles) >= 30
    assert sum(article.lang == "ru" for article in articles) >= 10
    for theme in load_taxonomy(TAXONOMY).themes:
        assert sum(theme.id in article.themes for article in articles) >= 5, theme.id
    for article in articles:
        assert 150 <= len(article.text.split()) <= 400, article.id


@pytest.mark.parametrize("half", [*HALVES, "all"], ids=[*HALVES, "all"])
def test_quality_on_labelled_set(tagger: Tagger, half: str) -> None:
    articles = read_half(half) if half != "all" else read_all()
    evaluation = evaluate(tagger, articles)
    print("\n" + format_table(half, evaluation))
    if half == "all":
        assert evaluation.relevance.f1 >= MIN_RELEVANCE_F1
        assert evaluation.micro.f1 >= MIN_THEME_MICRO_F1


def main(argv: list[str]) -> None:
    tagger = shipped_tagger()
    for half in argv or [*HALVES, "all"]:
        evaluation = evaluate(tagger, read_half(half) if half != "all" else read_all())
        print(format_table(half, evaluation) + "\n")
        print("\n".join(evaluation.errors) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
