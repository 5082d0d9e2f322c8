"""The built portal and the review preview in headless Chromium (Debian's chromium and
chromium-driver, installed by `make test`). Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"
BIN = ROOT / ".venv" / "bin"

pytestmark = pytest.mark.skipif(
    os.environ.get("BAOMI_SKIP_BROWSER") == "1", reason="BAOMI_SKIP_BROWSER=1 (browser tests need chromium)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the sample portal, published with `baomi publish`."""
    clone = tmp_path_factory.mktemp("browser") / "portal"
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(clone)], check=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BAOMI_CACHE_DIR": str(clone.parent / "cache")}
    env.update(LANGUAGE="zh_CN")  # what the office reads (and the README's screenshots show)
    env.pop("BAOMI_FINGERPRINT_KEY", None)
    subprocess.run([str(BIN / "baomi"), "publish"], cwd=clone, env=env, check=True, capture_output=True)
    return clone


def serving(command: list[str], cwd: Path, port: int) -> Iterator[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "BAOMI_CACHE_DIR": str(cwd.parent / "cache")}
    env.update(LANGUAGE="zh_CN")
    env.pop("BAOMI_FINGERPRINT_KEY", None)
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as server:
        try:
            wait_for(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def site(portal: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", "site"]
    yield from serving(command, portal, port)


@pytest.fixture(scope="module")
def preview(portal: Path) -> Iterator[str]:
    port = free_port()
    yield from serving([str(BIN / "baomi"), "serve", "--dev-addr", f"127.0.0.1:{port}"], portal, port)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail(
            "headless Chromium is missing: `make test` installs Debian's chromium and chromium-driver"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--lang=zh-CN",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def shoot(browser: webdriver.Chrome, name: str) -> None:
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_home_page(browser: webdriver.Chrome, site: str) -> None:
    browser.get(f"{site}/")
    assert "青溪县人民政府门户网站" in browser.title
    tabs = browser.find_element(By.CSS_SELECTOR, ".md-tabs").text
    assert "政务动态" in tabs and "保密工作" in tabs
    shoot(browser, "portal-home")


def test_article_shows_the_review_footer(browser: webdriver.Chrome, site: str) -> None:
    browser.get(f"{site}/policy/tea-industry-opinions/")
    footer = browser.find_element(By.CSS_SELECTOR, ".baomi-review").text
    assert "本页已经保密审查" in footer
    assert "李明（主要领导）" in footer and "王建国（分管领导）" in footer
    shoot(browser, "portal-article")


def test_drafts_are_not_served(browser: webdriver.Chrome, site: str) -> None:
    browser.get(f"{site}/drafts/leaked-memo/")
    assert "东岭基地" not in browser.page_source


def test_chinese_search_finds_a_word_inside_an_article(browser: webdriver.Chrome, site: str) -> None:
    browser.get(f"{site}/")
    box = WebDriverWait(browser, 20).until(
        ready.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
    )
    box.click()
    box.send_keys("高标准农田")  # a word inside the spring-farming article, not in its title
    # Material re-renders the result list as the query and the index arrive, so an element
    # found in one frame may be gone in the next: read the links in one script call, and wait
    # until the article is among them.
    seen: list[list[str]] = [[]]

    def article_found(driver: webdriver.Chrome) -> bool:
        seen[0] = driver.execute_script(
            "return Array.from(document.querySelectorAll('.md-search-result__item a'), a => a.href)"
        )
        return any("spring-farming-meeting" in href for href in seen[0])

    try:
        WebDriverWait(browser, 30).until(article_found)
    except TimeoutException:
        pytest.fail(f"the article is not among the search results: {seen[0]}")
    shoot(browser, "portal-search")
    box.send_keys(Keys.ESCAPE)


def test_preview_marks_pending_pages(browser: webdriver.Chrome, preview: str) -> None:
    browser.get(f"{preview}/drafts/leaked-memo/")
    banner = WebDriverWait(browser, 30).until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, ".baomi-pending"))
    )
    assert "待审核" in banner.text and "Pending review" not in banner.text
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.baomi-finding")
    assert marks and all(m.is_displayed() for m in marks[:3])
    assert any("codename.project" in (m.get_attribute("title") or "") for m in marks)
    shoot(browser, "preview-pending")


def test_preview_cleared_page_has_no_banner(browser: webdriver.Chrome, preview: str) -> None:
    browser.get(f"{preview}/news/spring-farming-meeting/")
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".baomi-review")))
    assert not browser.find_elements(By.CSS_SELECTOR, ".baomi-pending")


@pytest.fixture(scope="module", autouse=True)
def _keep_artifacts() -> Iterator[None]:
    yield
    shutil.rmtree(ROOT / "test-artifacts" / "tmp", ignore_errors=True)
