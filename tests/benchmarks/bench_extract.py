"""Score the article extractor against trafilatura and resiliparse on WCXB dev.

A script, not a test: `python tests/benchmarks/bench_extract.py [--limit N]`. It runs
the shared evaluation script once with all three extractors, so speeds compare within
one run, and writes the table to bench-results/extract.md (also printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EVAL_SCRIPT = SHARED / "bench" / "extract_eval.py"
DATASET = SHARED / "extraction" / "wcxb"
RESULTS = ROOT / "bench-results" / "extract.md"
EXTRACTORS = ("trafilatura", "resiliparse", "pipelines.extract:main_text")


def eval_command(limit: int | None) -> list[str]:
    """The evaluation command line, relative to the repository root."""
    command = [sys.executable, str(EVAL_SCRIPT), str(DATASET)]
    for extractor in EXTRACTORS:
        command += ["-e", extractor]
    command += ["--pythonpath", ".", "--by", "page_type", "--markdown"]
    return command + (["--limit", str(limit)] if limit else [])


def shown(command: list[str]) -> str:
    """The command as a reader would type it from the repository root."""
    parts = [".venv/bin/python" if part == sys.executable else part for part in command]
    return " ".join(os.path.relpath(p, ROOT) if p.startswith("/") else p for p in parts)


def run_eval(command: list[str]) -> str:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"evaluation failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def report(table: str, command: list[str]) -> str:
    return "\n".join(
        [
            "# Extraction benchmark (WCXB dev)",
            "",
            f"Machine: {os.cpu_count()} cores. Speeds compare only within this one run.",
            "Data: WCXB v1.0 dev split (Murrough Foley, 2026), CC-BY-4.0.",
            "",
            "Command:",
            "",
            f"    {shown(command)}",
            "",
            table.strip(),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="score only the first N pages")
    args = parser.parse_args()
    if not EVAL_SCRIPT.exists():
        raise SystemExit(f"{EVAL_SCRIPT}: evaluation script not found")
    command = eval_command(args.limit)
    text = report(run_eval(command), command)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
