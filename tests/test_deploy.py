"""The deployment files run commands that exist, with a stop timeout longer than the grace."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.schedule import parse_schedule
from crawler.settings import DaemonSettings

ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ["pivotwatch.service", "pivotwatch-datasette.service"]
CRON_LINE = re.compile(r"^#?\s*((?:\S+\s+){4}\S+)\s+(cd .*)$")


def read_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name)
    return parser


def pivotwatch_args(command: str) -> list[str]:
    """The arguments given to `pivotwatch` in a shell line, up to the first redirection."""
    words = shlex.split(command)
    start = next(n for n, word in enumerate(words) if word.endswith("bin/pivotwatch")) + 1
    args = []
    for word in words[start:]:
        if word in {">>", ">", "&&", "||", "|", "2>&1"}:
            break
        args.append(word)
    return args


def cron_entries() -> list[tuple[str, str]]:
    text = (DEPLOY / "crontab.example").read_text()
    return [m.groups() for line in text.splitlines() if (m := CRON_LINE.match(line))]


def commands_run() -> list[list[str]]:
    commands = [pivotwatch_args(read_unit(u)["Service"]["ExecStart"]) for u in UNITS]
    commands += [pivotwatch_args(command) for _, command in cron_entries()]
    commands.append(docker_cmd()[1:])
    return commands


def docker_cmd() -> list[str]:
    line = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    return json.loads(line.removeprefix("CMD"))


@pytest.mark.parametrize("args", commands_run(), ids=lambda args: " ".join(args))
def test_every_deployed_command_parses(args: list[str]) -> None:
    try:
        from crawler.cli import cli
    except ImportError as error:  # another part of the package has not landed yet
        pytest.skip(f"the CLI does not import yet: {error}")
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output


def test_systemd_waits_longer_than_the_grace_period() -> None:
    service = read_unit("pivotwatch.service")["Service"]
    grace = DaemonSettings().grace_seconds
    assert float(service["TimeoutStopSec"]) > grace
    assert service["KillSignal"] == "SIGTERM"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["Restart"] == "on-failure"


def test_the_daemon_can_write_its_folders_under_systemd_hardening() -> None:
    service = read_unit("pivotwatch.service")["Service"]
    writable = service["ReadWritePaths"].split()
    assert {"/opt/pivotwatch/db", "/opt/pivotwatch/digests"} <= set(writable)


@pytest.mark.parametrize("entry", cron_entries(), ids=lambda entry: entry[1][:60])
def test_crontab_schedules_use_day_names_or_no_day(entry: tuple[str, str]) -> None:
    parse_schedule(entry[0])


def test_crontab_runs_crawl_and_the_check() -> None:
    commands = [pivotwatch_args(command) for _, command in cron_entries()]
    assert ["--log-format", "json", "crawl"] in commands
    assert ["status", "--check"] in commands


def test_dockerfile_is_the_standard_slim_image_running_the_daemon() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim\n" in text
    assert docker_cmd() == ["pivotwatch", "--log-format", "json", "daemon"]
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
