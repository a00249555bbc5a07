"""The README's generated sections match the code, and every setting is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.reference import SOURCE_KEYS, settings_table
from crawler.settings import Source

ROOT = Path(__file__).parent.parent


def test_readme_generated_sections_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "README.md is stale: run `make docs`\n" + result.stderr


def test_every_setting_has_a_description() -> None:
    for line in settings_table().splitlines()[2:]:
        assert not line.endswith("|  |"), line


def test_every_source_key_is_described() -> None:
    assert set(SOURCE_KEYS) == set(Source.model_fields)
