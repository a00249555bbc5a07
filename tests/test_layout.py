"""The packaging contract: two generic package names, contained to this repository."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("package", ["crawler", "pipelines"])
def test_packages_resolve_inside_this_repository(package: str) -> None:
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().parent == ROOT / package


def test_distribution_lists_its_packages_explicitly() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["name"] == "pivotwatch"
    packages = project["tool"]["setuptools"]["packages"]
    assert {"crawler", "pipelines"} <= set(packages)
    assert all(name.split(".")[0] in ("crawler", "pipelines") for name in packages)
    on_disk = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("crawler", "pipelines")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk == set(packages), "list every import package in pyproject.toml"
    assert project["project"]["scripts"] == {"pivotwatch": "crawler.cli:cli"}


def test_runtime_dependencies_are_pinned_and_bench_tools_stay_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert "==" in requirement, f"{requirement} is not pinned"
    names = " ".join(project["dependencies"])
    assert "trafilatura" not in names and "resiliparse" not in names


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "pipelines").rglob("*.py")), ids=lambda p: p.name)
def test_pipelines_never_import_the_crawler_or_httpx(path: Path) -> None:
    assert not imported_modules(path) & {"crawler", "httpx"}


@pytest.mark.parametrize("folder", ["config", "db", "tests"])
def test_data_folders_are_not_packages(folder: str) -> None:
    assert not (ROOT / folder / "__init__.py").exists()


STDLIB_OR_DEPENDENCY = {
    "html",
    "csv",
    "http",
    "json",
    "sqlite3",
    "logging",
    "httpx",
    "click",
    "datasette",
    "feedparser",
    "selectolax",
    "email",
    "types",
    "queue",
}


def test_no_module_is_named_after_stdlib_or_a_dependency() -> None:
    for package in ("crawler", "pipelines"):
        for path in (ROOT / package).rglob("*.py"):
            assert path.stem not in STDLIB_OR_DEPENDENCY, path
