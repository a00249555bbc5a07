"""Shared test setup: tests never touch the user's configuration or database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIVOTWATCH_CONFIG", raising=False)
    monkeypatch.delenv("PIVOTWATCH_DB", raising=False)
