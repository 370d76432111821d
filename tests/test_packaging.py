"""couplebot installs like any Python tool: a built wheel carries the code, the migrations and
the decks, and its `couplebot` command works from an empty folder in a fresh venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VALIDATION_NOTE = "jsonschema is not installed"


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _folders(base: Path, package: str) -> set[str]:
    """The package for `base` and one per folder below it that holds files."""
    found = {package}
    for folder in base.rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.iterdir()):
            found.add(".".join((package, *folder.relative_to(base).parts)))
    return found


def test_every_package_and_data_folder_is_listed_in_pyproject() -> None:
    """setuptools gets an explicit list (content/ maps to couplebot._content): a new folder
    under couplebot/ or content/ must be added to [tool.setuptools] packages to ship."""
    setuptools = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    listed = set(setuptools["packages"])
    expected = _folders(ROOT / "couplebot", "couplebot") | _folders(
        ROOT / "content", "couplebot._content"
    )
    assert listed == expected, f"add to pyproject: {sorted(expected - listed)}"
    assert setuptools["package-dir"] == {"couplebot._content": "content"}
    data = setuptools["package-data"]
    for package in listed:
        patterns = data.get(package, [])
        for file in _folder_of(package).iterdir():
            if file.is_file() and file.suffix not in {".py", ".pyc"}:
                assert any(fnmatch(file.name, p) for p in patterns), f"{file} is not packaged"


def _folder_of(package: str) -> Path:
    parts = package.split(".")
    if parts[:2] == ["couplebot", "_content"]:
        return ROOT.joinpath("content", *parts[2:])
    return ROOT.joinpath(*parts)


def test_runtime_dependencies_are_ranges_and_the_constraints_pin_them() -> None:
    project = _pyproject()["project"]
    runtime = project["dependencies"]  # type: ignore[index]
    assert not any("==" in spec for spec in runtime), runtime
    assert not any(spec.startswith(("jsonschema", "referencing")) for spec in runtime)
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    pinned = {
        line.split("==")[0].strip().lower().replace("_", "-")
        for line in constraints.splitlines()
        if "==" in line and not line.startswith("#")
    }
    extras = project["optional-dependencies"]  # type: ignore[index]
    for spec in [*runtime, *extras["validation"], *extras["test"]]:
        name = spec.split(";")[0]
        for mark in "<>=~![ ":
            name = name.split(mark)[0]
        if name == "couplebot":
            continue
        assert name.lower().replace("_", "-") in pinned, f"{name} is not pinned in constraints.txt"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the source, installed (no extras) into a fresh venv; its bin/."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("couplebot", "content"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    _run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)], cwd=work)
    (wheel,) = (work / "dist").glob("couplebot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "couplebot/_content/follow-ups.toml" in names
    assert any(n.startswith("couplebot/_content/prompts/") for n in names)
    assert any(n.startswith("couplebot/store/migrations/001_") for n in names)
    assert any(n.endswith("licenses/LICENSE") for n in names)

    environment = work / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    constraints = ROOT / "constraints.txt"
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-c", str(constraints), str(wheel)],
        cwd=work,
    )  # fmt: skip
    return environment / "bin"


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**_outside_env(), **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def _outside_env() -> dict[str, str]:
    """The environment without this checkout's venv or any couplebot setting."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
        and not name.startswith("COUPLEBOT_")
        and name != "DISCORD_TOKEN"
    }


@pytest.mark.slow
def test_the_installed_wheel_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    couplebot = str(installed / "couplebot")

    version = _run([couplebot, "--version"], cwd=empty).stdout.strip()
    assert version == f"couplebot {_pyproject()['project']['version']}"  # type: ignore[index]
    same = _run([str(installed / "python"), "-m", "couplebot", "--version"], cwd=empty)
    assert same.stdout.strip() == version

    checked = _run([couplebot, "check-content"], cwd=empty)
    assert "look good" in checked.stdout

    # TMPDIR: the chart the demo saves lands in this test's folder, not a shared /tmp file.
    demo = _run([couplebot, "demo"], cwd=empty, TMPDIR=str(tmp_path))
    assert "** You've both answered **" in demo.stdout, demo.stdout + demo.stderr
    assert "Traceback" not in demo.stderr
    # Without the validation extra, the demo runs on and says so, once.
    assert demo.stderr.count(VALIDATION_NOTE) == 1, demo.stderr
    assert sorted(p.name for p in empty.iterdir()) == []
    plain = subprocess.run(
        [str(installed / "python"), "-c", "import jsonschema"], capture_output=True, check=False
    )
    assert plain.returncode != 0, "a plain install should not bring jsonschema"
