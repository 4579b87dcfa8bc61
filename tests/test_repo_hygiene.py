"""Repository hygiene: setup plumbing, config, pinned deps, no shared-folder access."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
THIS_FILE = Path(__file__).resolve()


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines()]


def test_ci_runs_the_test_script():
    ci = REPO_ROOT / ".ci" / "run"
    commands = [
        line for line in _lines(ci) if line and not line.startswith("#") and line != "set -e"
    ]
    assert commands == ["bash scripts/test.sh"]


@pytest.mark.parametrize("command", ["bash scripts/test.sh", "bash scripts/run.sh"])
def test_readme_documents_the_commands(command):
    readme = REPO_ROOT / "README.md"
    assert readme.is_file(), "README.md is missing"
    assert command in _lines(readme), f"README.md has no line `{command}`"


def test_scripts_are_executable():
    for name in ("scripts/test.sh", "scripts/run.sh", ".ci/run"):
        path = REPO_ROOT / name
        assert path.is_file(), name
        assert path.stat().st_mode & 0o111, f"{name} is not executable"


def test_streamlit_config():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == 50  # the exports' picker; see test_upload_page
    assert config["server"]["headless"] is True


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(name):
    path = REPO_ROOT / name
    requirements = [
        line.split("#", 1)[0].strip()
        for line in path.read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert requirements, f"{name} is empty"
    pinned = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?==[^=<>~!*,;\s]+$")
    for req in requirements:
        if req.startswith("-r "):
            assert (REPO_ROOT / req[3:].strip()).is_file(), req
            continue
        assert pinned.match(req), f"{name}: `{req}` is not pinned with =="


def _product_and_test_files() -> list[Path]:
    files: list[Path] = []
    app = REPO_ROOT / "app.py"
    if app.is_file():
        files.append(app)
    for folder in ("emss", "pages", "tests"):
        root = REPO_ROOT / folder
        if root.is_dir():
            files.extend(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [p for p in files if p.resolve() != THIS_FILE]


def test_product_never_reads_the_shared_folder():
    offenders = []
    for path in _product_and_test_files():
        try:
            text = path.read_text(errors="ignore")
        except OSError:
            continue
        for needle in ("../shared", "/shared/"):
            if needle in text:
                offenders.append(f"{path.relative_to(REPO_ROOT)}: contains {needle!r}")
    assert not offenders, "\n".join(offenders)


# Facts the catalogue holds, which code must read from it rather than type again.
CATALOGUE_FACTS = {
    "a partner code": re.compile(r"""["'](LCC|NCC|External|EMSS)["']"""),
    "a unit name": re.compile(r"""["'](count|percent|gbp|days|hours)["']"""),
    "a report section sign": re.compile("§"),
    "the debt columns": re.compile(r"""["']collector["'],\s*["']sector["']"""),
}


def _code_outside_the_catalogue() -> list[Path]:
    files = [REPO_ROOT / "app.py", *(REPO_ROOT / "pages").glob("*.py")]
    files += [p for p in (REPO_ROOT / "emss").glob("*.py") if p.name != "catalogue.py"]
    return files


@pytest.mark.parametrize("fact", CATALOGUE_FACTS)
def test_catalogue_facts_are_typed_only_in_the_catalogue(fact):
    pattern = CATALOGUE_FACTS[fact]
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in _code_outside_the_catalogue()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"{fact} typed outside emss/catalogue.*:\n" + "\n".join(offenders)
