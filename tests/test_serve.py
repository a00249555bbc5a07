"""`pivotwatch serve` as a real process: settings, options, a missing database."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from serve_process import free_port, running_server, wait_until_up, write_settings


def fetch_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_serve_uses_the_settings_port_and_creates_the_database(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "data" / "not-yet.db"
    with running_server(write_settings(tmp_path, port), db) as process:
        wait_until_up(f"http://127.0.0.1:{port}/pivotwatch.json", process)
        databases = fetch_json(f"http://127.0.0.1:{port}/-/databases.json")
    assert db.exists()
    assert [d["name"] for d in databases] == ["pivotwatch"]  # type: ignore[index]


def test_port_option_overrides_the_settings(tmp_path: Path) -> None:
    port = free_port()
    settings = write_settings(tmp_path, free_port())
    with running_server(settings, tmp_path / "p.db", "--port", str(port)) as process:
        wait_until_up(f"http://127.0.0.1:{port}/robots.txt", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt") as response:
            assert response.read() == b"User-agent: *\nDisallow: /\n"
