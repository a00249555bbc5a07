"""The command line: one `Error:` line for every expected failure, an example in every help."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli

ROOT = Path(__file__).parent.parent
COMMANDS = sorted(cli.commands)


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_the_spine_commands_exist() -> None:
    assert {
        "crawl",
        "daemon",
        "serve",
        "digest",
        "extract",
        "tag",
        "status",
        "reprocess",
        "demo",
    } <= set(COMMANDS)


def test_usage_error_is_one_line_and_exit_2() -> None:
    result = run("crawl", "--no-such-option")
    assert result.exit_code == 2
    assert result.stderr == "Error: No such option '--no-such-option'.\n"


def test_unknown_command_is_one_line() -> None:
    result = run("fly")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such command 'fly'")
    assert result.stderr.count("\n") == 1


def settings_with(tmp_path: Path, settings: str, sources: str | None = None) -> Path:
    (tmp_path / "settings.toml").write_text(
        f'db = "data.db"\nthemes = "{ROOT / "config" / "themes.toml"}"\n' + settings
    )
    if sources is not None:
        (tmp_path / "sources.toml").write_text(sources)
    return tmp_path / "settings.toml"


GOOD_SOURCE = """
[[source]]
name = "example"
title = "Example"
homepage = "https://example.org/"
source_type = "journal"
"""


@pytest.mark.parametrize(
    ("settings", "sources", "message"),
    [
        ("[crawl]\nbogus = 1\n", GOOD_SOURCE, "settings.toml: crawl.bogus: unknown key"),
        (
            "",
            GOOD_SOURCE.replace("https://example.org/", "example.org"),
            "sources.toml: source[0].homepage: not an http(s) URL",
        ),
        ("", None, "sources.toml: file not found"),
        (
            "[crawl]\nschedule = 'sometimes'\n",
            GOOD_SOURCE,
            "settings.toml: crawl.schedule: not a schedule",
        ),
    ],
    ids=["unknown-key", "bad-url", "missing-file", "bad-schedule"],
)
def test_bad_config_is_one_error_line_and_touches_no_data(
    tmp_path: Path, settings: str, sources: str | None, message: str
) -> None:
    path = settings_with(tmp_path, settings, sources)
    result = run("--config", str(path), "crawl")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "data.db").exists()


def test_missing_settings_file(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "none.toml"), "crawl")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'none.toml'}: file not found\n"


def test_config_from_the_environment(tmp_path: Path) -> None:
    result = run("crawl", env={"PIVOTWATCH_CONFIG": str(tmp_path / "env.toml")})
    assert result.stderr == f"Error: {tmp_path / 'env.toml'}: file not found\n"


def test_unreadable_extract_input(tmp_path: Path) -> None:
    result = run(
        "--config",
        str(ROOT / "config" / "settings.toml"),
        "extract",
        str(tmp_path / "missing.html"),
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "missing.html" in result.stderr
