"""Count the CPU instructions that tagging and re-tagging take per article, under callgrind.

    .venv/bin/python tests/benchmarks/count_instructions.py [--lang ru] [--case term]

Timings on a shared machine swing by a third from one minute to the next; an instruction
count does not. Each figure comes from two runs of a child process under `valgrind
--tool=callgrind`: one that does the work on N articles of `bench_retag`'s database and one
that stops just before it, the difference divided by N. Both first tag 60 other articles,
so the caches of the matcher and the RE2 automaton are warm, as in a long run.

* tag: `Tagger.scored` on each article's title and text;
* retag: `retag_articles` on a copy of the database, which was tagged with the shipped
  taxonomy, re-tagged with the case's taxonomy (`unchanged`, `changed`: another
  `theme_saturation`, `term`: a common word added to the energy theme).

Needs valgrind (Debian: `apt-get install valgrind`); it is not part of `make bench`, and it
reads no `../shared`. Instructions are not time, but a change that removes instructions
from the same work removes time with them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_retag import (  # noqa: E402
    THEMES,
    build_database,
    changed_taxonomy,
    tagger_for,
    term_added_taxonomy,
)
from bench_tag import synthetic_articles  # noqa: E402

from pipelines.retag import retag_articles  # noqa: E402
from pipelines.store import open_database  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")
_WARM_UP = 60  # articles tagged before the measured work, in both runs


def taxonomy_for(case: str, folder: Path) -> Path:
    if case == "term":
        return term_added_taxonomy(folder)
    if case == "changed":
        return changed_taxonomy(folder)
    return THEMES


def child(database: Path, lang: str, case: str, work: str, measure: bool) -> None:
    """The process valgrind watches: warm up on other articles, then do the work on every
    article of the database if `measure`."""
    folder = Path(tempfile.mkdtemp())
    tagger = tagger_for(taxonomy_for(case, folder))
    copy = folder / "copy.db"
    shutil.copy(database, copy)
    db = open_database(copy)
    articles = [tuple(row) for row in db.execute("SELECT title, text FROM articles ORDER BY id")]
    for title, text in synthetic_articles(_WARM_UP, lang, seed=5):
        tagger.scored(text, title)
    if not measure:
        return
    if work == "tag":
        for title, text in articles:
            tagger.scored(text or "", title)
    else:
        retag_articles(db, tagger)


def collected(database: Path, lang: str, case: str, work: str, measure: bool) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        str(database),
        lang,
        case,
        work,
        "1" if measure else "0",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _COLLECTED.search(result.stderr)
    if not found:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=["en", "ru"], default="ru")
    parser.add_argument("--case", choices=["unchanged", "changed", "term"], default="term")
    parser.add_argument("--articles", type=int, default=200, help="articles measured")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        database, lang, case, work, measure = args.child
        child(Path(database), lang, case, work, measure == "1")
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp())
    database = folder / f"{args.lang}.db"
    build_database(database, args.lang, args.articles, tagger_for(THEMES))
    print(f"Instructions per article (callgrind), {args.lang}, case {args.case}, ", end="")
    print(f"{args.articles} articles measured\n")
    print("| work | instructions per article |\n|---|---:|")
    for work in ("tag", "retag"):
        before = collected(database, args.lang, args.case, work, False)
        after = collected(database, args.lang, args.case, work, True)
        print(f"| {work} | {(after - before) / args.articles:,.0f} |")
    command = " ".join(["count_instructions.py", *sys.argv[1:]])
    print(f"\nCommand: `.venv/bin/python tests/benchmarks/{command}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
