"""docs/quickstart.md (从零开始), replayed: its shell blocks run in order, in an empty folder, with
Baomi installed from a wheel of this checkout (not editable, so the packaged rules and templates
really ship), and the site it publishes holds the home page and not the pending draft. If the
page changes, this test follows it: only the install line is replaced (by the wheel)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

QUICKSTART = ROOT / "docs" / "quickstart.md"
INSTALL = "python3 -m pip install baomi"
_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def shell_blocks(text: str) -> list[str]:
    return [match.group(1) for match in _BLOCK.finditer(text)]


def _without(folder: Path) -> str:
    """$PATH without `folder`."""
    return ":".join(p for p in os.environ["PATH"].split(":") if p and Path(p).resolve() != folder.resolve())


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built once without the network (setuptools from the dev venv)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("baomi-*.whl")
    return built


def test_the_page_has_the_steps_the_test_relies_on() -> None:
    blocks = shell_blocks(QUICKSTART.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    assert sum(block.count(INSTALL) for block in blocks) == 1
    assert any("baomi init" in block for block in blocks)
    assert any("baomi publish" in block for block in blocks)


def test_the_quickstart_reaches_a_published_portal(wheel: Path, tmp_path: Path) -> None:
    blocks = shell_blocks(QUICKSTART.read_text(encoding="utf-8"))
    # the dependencies come from this checkout's venv, Baomi itself only from the wheel
    deps = sysconfig.get_paths()["purelib"]
    install = (
        'echo "'
        + deps
        + '" > "$(python3 -c \'import sysconfig; print(sysconfig.get_paths()["purelib"])\')/_deps.pth"\n'
        f"python3 -m pip install --quiet --no-deps --no-index {wheel}"
    )
    script = "set -euo pipefail\n" + "\n".join(block.replace(INSTALL, install) for block in blocks)
    work = tmp_path / "office"
    work.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": _without(Path(sys.executable).parent),  # `baomi` is the wheel's, never this venv's
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "LANG": "C.UTF-8",
        "BAOMI_CACHE_DIR": str(tmp_path / "cache"),
        "NO_MKDOCS_2_WARNING": "1",
    }
    done = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    site = work / "qingxi" / "site"
    home_page = (site / "index.html").read_text(encoding="utf-8")
    assert "欢迎访问青溪县人民政府门户网站" in home_page
    assert (site / "news" / "index.html").exists()
    assert not (site / "news" / "spring-farming").exists()  # the pending draft is held back
    assert "spring-farming" in done.stdout + done.stderr  # and the publish output says so
    # nothing of the site is loaded from outside it
    assert "fonts.googleapis.com" not in home_page and "fonts.gstatic.com" not in home_page
    # the installed Baomi was the wheel's, with the packaged rules as package data
    python = work / "baomi-env" / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import screen; print(screen.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout
    assert "site-packages/screen" in where
