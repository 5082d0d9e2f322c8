"""The portal gate with real `mkdocs build` runs on clones of this repository's sample portal,
whose pages are cleared by sign-off commits made with the public demo keys."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_portal

LEADERS = {
    "wang": ("王建国", "wang@qingxi.gov.cn"),
    "li": ("李明", "li@qingxi.gov.cn"),
}
DRAFT_TITLE = "关于东岭基地配套道路建设有关事项的备忘录"


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(args, cwd=cwd, env=full_env, text=True, capture_output=True, check=check)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone = tmp_path_factory.mktemp("pristine") / "portal"
    run(ROOT, "git", "clone", "--quiet", "--no-local", str(ROOT), str(clone))
    run(clone, "git", "config", "user.name", "撰稿人")
    run(clone, "git", "config", "user.email", "drafter@qingxi.gov.cn")
    return clone


@pytest.fixture
def portal(pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the sample portal, with the test environment's key and cache."""
    copy = tmp_path / "portal"
    shutil.copytree(pristine, copy, symlinks=True)
    monkeypatch.setenv("BAOMI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BAOMI_FINGERPRINT_KEY", raising=False)
    monkeypatch.delenv("BAOMI_HOLD_BACK", raising=False)
    return copy


def baomi(portal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(portal, str(ROOT / ".venv" / "bin" / "baomi"), *args, check=False)


def mkdocs(portal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(portal, str(ROOT / ".venv" / "bin" / "mkdocs"), "build", *args, check=False)


def commit(portal: Path, message: str) -> None:
    run(portal, "git", "add", "-A")
    run(portal, "git", "commit", "--quiet", "--no-gpg-sign", "-m", message)


def sign(portal: Path, keys: Path, who: str, *paths: str) -> None:
    result = try_sign(portal, keys, who, *paths)
    assert result.returncode == 0, result.stderr


def try_sign(portal: Path, keys: Path, who: str, *paths: str) -> subprocess.CompletedProcess[str]:
    return as_leader(portal, keys, who, "sign", *paths)


def as_leader(portal: Path, keys: Path, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`baomi ARGS…` as the demo leader `who`, with their signing key."""
    name, email = LEADERS[who]
    env = {
        "GIT_CONFIG_COUNT": "4",
        "GIT_CONFIG_KEY_0": "user.name",
        "GIT_CONFIG_VALUE_0": name,
        "GIT_CONFIG_KEY_1": "user.email",
        "GIT_CONFIG_VALUE_1": email,
        "GIT_CONFIG_KEY_2": "gpg.format",
        "GIT_CONFIG_VALUE_2": "ssh",
        "GIT_CONFIG_KEY_3": "user.signingkey",
        "GIT_CONFIG_VALUE_3": str(keys / f"{who}_ed25519.pub"),
    }
    return run(portal, str(ROOT / ".venv" / "bin" / "baomi"), *args, env=env, check=False)


def override_theme(portal: Path, blocks: str) -> None:
    """Give the portal a theme override (`custom_dir: overrides`) whose main.html has `blocks`."""
    config = portal / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  language: zh\n", "  language: zh\n  custom_dir: overrides\n"
        ),
        encoding="utf-8",
    )
    (portal / "overrides").mkdir()
    (portal / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n' + blocks + "\n", encoding="utf-8"
    )


def site_text(site: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in site.rglob("*")
        if p.suffix in (".html", ".xml", ".json")
    )


def test_publish_builds_only_cleared_pages(portal: Path) -> None:
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    site = portal / "site"
    assert (site / "news" / "spring-farming-meeting" / "index.html").is_file()
    assert not (site / "drafts").exists()
    text = site_text(site)
    # Held back everywhere: pages, nav, search index, sitemap.
    assert DRAFT_TITLE not in text and "drafts/" not in text
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any("drafts" in doc["location"] for doc in index["docs"])
    assert "held back: drafts/leaked-memo.md" in result.stdout
    assert "11010519491231002X" not in result.stdout  # reasons are redacted


def test_review_footer_names_the_signers(portal: Path, chinese: None) -> None:
    assert baomi(portal, "publish").returncode == 0
    page = (portal / "site" / "policy" / "tea-industry-opinions" / "index.html").read_text(encoding="utf-8")
    assert "本页已经保密审查" in page
    assert "李明（主要领导）" in page and "王建国（分管领导）" in page


def test_chinese_search_index_is_segmented(portal: Path) -> None:
    assert baomi(portal, "publish").returncode == 0
    index = json.loads((portal / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "\u200b" in json.dumps(index["docs"], ensure_ascii=False)  # jieba word boundaries
    assert index["config"]["separator"] == "[\\s\\u200b\\-]"


def test_plain_mkdocs_build_with_uncleared_content_fails(portal: Path) -> None:
    result = mkdocs(portal, "-d", str(portal / "out"))
    assert result.returncode != 0
    assert "not cleared" in result.stderr and "drafts/leaked-memo.md" in result.stderr
    assert not (portal / "out" / "drafts").exists()


def test_dirty_build_is_refused(portal: Path) -> None:
    result = run(portal, str(ROOT / ".venv" / "bin" / "mkdocs"), "build", "--dirty", check=False)
    assert result.returncode != 0 and "--dirty" in result.stderr


def test_edit_after_signoff_keeps_the_cleared_version(portal: Path) -> None:
    # the edit waits for its sign-off; the page stays up as cleared (tests/test_live.py has more)
    page = portal / "content" / "news" / "spring-farming-meeting.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    commit(portal, "edit")
    result = baomi(portal, "publish")
    assert result.returncode == 0
    assert "pending: news/spring-farming-meeting.md" in result.stdout
    built = portal / "site" / "news" / "spring-farming-meeting" / "index.html"
    assert "补充一段" not in built.read_text(encoding="utf-8")


def test_an_unsigned_config_waits_and_its_cleared_version_builds(portal: Path) -> None:
    config = portal / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("青溪县人民政府门户网站", "青溪县门户"), encoding="utf-8"
    )
    commit(portal, "rename site")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "pending: mkdocs.yml" in result.stdout
    assert "青溪县门户" not in site_text(portal / "site")
    assert baomi(portal, "publish", "--strict").returncode == 1


def test_nav_title_of_a_held_back_page_is_pruned(portal: Path, demo_keys: Path) -> None:
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  - 保密工作:\n", "  - 内部备忘: drafts/leaked-memo.md\n  - 保密工作:\n"
    )
    config.write_text(text, encoding="utf-8")
    commit(portal, "nav entry for a draft")
    sign(portal, demo_keys, "wang", "mkdocs.yml")
    sign(portal, demo_keys, "li", "mkdocs.yml")
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "内部备忘" not in site_text(portal / "site")


def test_nav_title_with_a_blocking_term_is_blocked(portal: Path) -> None:
    config = portal / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - 保密工作:\n", "  - 东岭基地专栏: index.md\n  - 保密工作:\n"
        ),
        encoding="utf-8",
    )
    commit(portal, "bad nav title")
    result = baomi(portal, "publish")  # the configuration cleared before builds; the new one waits
    assert result.returncode == 0, result.stderr
    assert "pending: mkdocs.yml" in result.stdout and "blocked" in result.stdout
    assert "东岭基地" not in result.stdout + result.stderr + site_text(portal / "site")


def test_symlink_out_of_content_is_refused(portal: Path, demo_keys: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# 外部文件\n", encoding="utf-8")
    (portal / "content" / "linked.md").symlink_to(outside)
    commit(portal, "symlink")
    result = baomi(portal, "publish")
    assert result.returncode != 0
    assert "linked.md" in result.stderr


def test_snippet_include_of_uncleared_text_is_blocked(portal: Path, demo_keys: Path) -> None:
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  - md_in_html\n", "  - md_in_html\n  - pymdownx.snippets:\n      base_path: [snippets]\n"
    )
    config.write_text(text, encoding="utf-8")
    (portal / "snippets").mkdir()
    (portal / "snippets" / "note.md").write_text("配合青松计划的实施。\n", encoding="utf-8")
    page = portal / "content" / "news" / "flood-season-meeting.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n--8<-- "note.md"\n', encoding="utf-8")
    commit(portal, "snippet")
    # The page is rendered with the portal's extensions at check: the included text is seen.
    checked = baomi(portal, "check", "content/news/flood-season-meeting.md", "--format", "json")
    assert checked.returncode == 1
    (finding,) = [f for f in json.loads(checked.stdout)["findings"] if f["rule"] == "codename.project"]
    assert finding["rendered"]["element"].startswith("<p>#")
    signed = try_sign(portal, demo_keys, "wang", "content/news/flood-season-meeting.md")
    assert signed.returncode != 0 and "codename.project" in signed.stderr
    sign(portal, demo_keys, "wang", "mkdocs.yml")
    sign(portal, demo_keys, "li", "mkdocs.yml")
    result = baomi(portal, "publish")  # the snippet is published input, and not cleared
    assert result.returncode == 1 and "snippets/note.md" in result.stderr
    assert "青松计划" not in site_text(portal / "site")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("  - pymdownx.snippets\n", "may include any file of the repository"),
        (
            "  - pymdownx.snippets:\n      base_path: ['.', snippets]\n",
            "may include any file of the repository",
        ),
        ("  - pymdownx.snippets:\n      base_path: [snippets]\n      url_download: true\n", "url_download"),
    ],
    ids=["default-base-path", "root-among-base-paths", "url-download"],
)
def test_snippets_from_anywhere_are_refused(portal: Path, options: str, message: str) -> None:
    config = portal / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - md_in_html\n", "  - md_in_html\n" + options)
    )
    result = baomi(portal, "check")
    assert result.returncode == 2 and message in result.stderr


def test_snippets_and_extra_templates_need_the_configuration_role(tmp_path: Path) -> None:
    from screen.portal import published, read_portal

    root = write_portal(
        tmp_path,
        {
            "mkdocs.yml": "site_name: x\ndocs_dir: content\nextra_templates: [robots.txt]\n"
            "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [parts]\n",
            "content/index.md": "# 首页\n",
            "content/robots.txt": "User-agent: *\n",
            "parts/note.md": "说明\n",
        },
    )
    portal = read_portal(root)
    roles = {t.display: t.theme for t in published(portal)}
    assert roles["parts/note.md"] and roles["content/robots.txt"] and not roles["content/index.md"]


def test_an_uncleared_configuration_is_never_loaded(portal: Path, demo_keys: Path) -> None:
    """MkDocs imports hooks and builds Python tags while it loads its configuration: publish
    checks the closure is cleared, read as data, before MkDocs reads any of it."""
    config = portal / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks/stamp.py\n", encoding="utf-8")
    (portal / "hooks").mkdir()
    (portal / "hooks" / "stamp.py").write_text(
        "from pathlib import Path\nPath('hook-ran').write_text('ran')\n", encoding="utf-8"
    )
    commit(portal, "a hook")
    result = baomi(portal, "publish")
    assert result.returncode != 0
    assert "not cleared" in result.stderr and "hooks/stamp.py" in result.stderr
    assert not (portal / "hook-ran").exists()
    sign(portal, demo_keys, "wang", "mkdocs.yml", "hooks/stamp.py")
    sign(portal, demo_keys, "li", "mkdocs.yml", "hooks/stamp.py")
    assert baomi(portal, "publish").returncode == 0
    assert (portal / "hook-ran").exists()  # cleared as configuration, it runs


def test_theme_overrides_need_the_config_signoff(portal: Path, demo_keys: Path) -> None:
    override_theme(portal, "{% block announce %}青溪县政务服务热线 12345{% endblock %}")
    commit(portal, "theme override")
    sign(portal, demo_keys, "wang", "mkdocs.yml")
    sign(portal, demo_keys, "li", "mkdocs.yml")
    result = baomi(portal, "publish")
    assert result.returncode == 1
    assert "overrides/main.html: unsigned" in result.stderr
    sign(portal, demo_keys, "wang", "overrides/main.html")  # the deputy alone is not enough
    assert "overrides/main.html: missing-role" in baomi(portal, "publish").stderr
    sign(portal, demo_keys, "li", "overrides/main.html")
    published = baomi(portal, "publish")
    assert published.returncode == 0, published.stderr
    assert "青溪县政务服务热线" in (portal / "site" / "index.html").read_text(encoding="utf-8")


def test_the_built_site_loads_nothing_from_another_host(portal: Path, demo_keys: Path) -> None:
    """A theme override that adds an outside script and a page that hot-links an image, both
    cleared by the leaders: the audit of the built site refuses them, naming each host once."""
    override_theme(
        portal,
        "{% block scripts %}{{ super() }}"
        '<script src="https://stats.example.com/count.js"></script>{% endblock %}',
    )
    page = "content/news/spring-farming-meeting.md"
    (portal / page).write_text(
        (portal / page).read_text(encoding="utf-8") + "\n![会场](https://img.example.net/meeting.jpg)\n",
        encoding="utf-8",
    )
    commit(portal, "统计脚本与外链图片")
    for who in ("wang", "li"):
        sign(portal, demo_keys, who, "mkdocs.yml", "overrides/main.html", page)
    before = (portal / "site" / "index.html").read_bytes() if (portal / "site").exists() else None
    result = baomi(portal, "publish")
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if "loads " in line]
    assert any("<script src> from stats.example.com" in line and "other files" in line for line in lines)
    assert any("site/news/spring-farming-meeting/index.html: loads <img src> from img.example.net" in line
               for line in lines)  # fmt: skip
    assert len(lines) == 2  # each resource once, however many pages load it
    after = (portal / "site" / "index.html").read_bytes() if (portal / "site").exists() else None
    assert after == before  # the site in place is left as it was


def test_publish_prints_no_dictionary_loading_of_the_search(portal: Path) -> None:
    result = baomi(portal, "publish")
    assert result.returncode == 0, result.stderr
    assert "prefix dict" not in result.stderr and "Loading model" not in result.stderr


def test_cli_and_plugin_report_the_same_findings(portal: Path) -> None:
    # Parity of the two doors: the blocking findings `baomi check` reports for the drafts are
    # exactly those the plugin holds them back for (compared by keyed fingerprint).
    check = json.loads(baomi(portal, "check", "content/drafts", "--format", "json").stdout)
    from_cli = {f["fingerprint"] for f in check["findings"] if f["level"] == "block"}
    published = baomi(portal, "publish")
    from_plugin = set(re.findall(r"--waive ([0-9a-f]{32})", published.stdout))
    assert from_cli and from_cli == from_plugin


def test_rules_are_built_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `mkdocs serve` re-creates plugins on every rebuild: the engine survives in the process and
    # is rebuilt only when a rule file changes.
    from screen import engine

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    monkeypatch.setattr(engine, "_SHARED", {})
    first = engine.shared_engine(rules, tmp_path / "cache")
    assert engine.shared_engine(rules, tmp_path / "cache") is first
    codenames = rules / "terms" / "codenames.txt"
    codenames.write_text(codenames.read_text(encoding="utf-8") + "南山工程\n", encoding="utf-8")
    changed = engine.shared_engine(rules, tmp_path / "cache")
    assert changed is not first and changed.fingerprint != first.fingerprint


def test_report_and_log_work_on_the_sample_portal(portal: Path) -> None:
    run = baomi(portal, "report", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    # cleared now: the 14 regular pages, mkdocs.yml, the two trust files, the two codename files,
    # the packaged-rules lock and the roster; the two drafts are not. Reviewed: every version a
    # sealed sign-off in the history names (the deletions of the generic rule files included),
    # read from git here.
    log = subprocess.run(
        ["git", "log", "--format=%B%x00", "--grep=^Baomi-Seal:"],
        cwd=portal,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    named = {
        tuple(line.split()[1:3]) for body in log.split("\0") for line in body.splitlines()
        if line.startswith("Baomi-Cleared: ")
    }  # fmt: skip
    assert (report["items_reviewed"], report["published"], report["held_back"]) == (len(named), 21, 2)
    # 网页 counts pages: the 14 regular ones; mkdocs.yml and the 6 rule files are counted apart
    assert (report["pages_published"], report["others_published"]) == (14, 7)
    assert "14 pages and 7 configuration and rule files" in report["summary"]
    assert "未检出" not in report["summary"]  # the drafts' leaks are in the history: found and counted
    assert {name for name, _, _ in report["reviewers"]} == {"王建国", "李明"}
    # the sign-offs made before Baomi-Seal existed are kept in the history, and listed as broken
    assert all("Baomi-Seal" in why for _, _, why in report["broken"]) and report["stale_now"] == 0
    assert "东岭基地" not in run.stdout  # the drafts' codename, found and counted, never quoted
    trail = baomi(portal, "log", "content/open/annual-report-2025.md", "--format", "json")
    document = json.loads(trail.stdout)
    assert document["state"] == "cleared"
    kinds = [e["kind"] for e in document["events"]]
    # the two sign-offs made before Baomi-Seal, then the two that count
    assert kinds == ["draft", "signoff-not-counted", "signoff-not-counted", "signoff", "signoff"]


# --- the audit of the built site: every name screened, every file with an origin -----------------


def _audit_after(portal: Path, tamper: object, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Publish the sample, let `tamper` change a copy of the built site, and audit the copy."""
    from mkdocs.config import load_config

    from screen import api
    from screen.built import Origins, audit
    from screen.settings import load_settings

    assert baomi(portal, "publish").returncode == 0
    site = portal / "audited"
    shutil.copytree(portal / "site", site)
    assert callable(tamper)
    tamper(site)
    monkeypatch.chdir(portal)
    gate = api.gate_site(load_settings(portal))
    config = load_config(str(portal / "mkdocs.yml"))
    cleared = {
        f.path.removeprefix("content/") for f in gate.files if f.publishable and f.path.startswith("content/")
    }
    origins = Origins(
        docs=portal / "content",
        theme_dirs=tuple(Path(d) for d in config.theme.dirs),
        cleared=frozenset(cleared),
    )
    return audit(site, gate, origins)


def _theme_asset(site: Path) -> Path:
    return next((site / "assets" / "javascripts").glob("bundle.*.min.js"))


def _unknown_file(site: Path) -> None:
    (site / "notes.txt").write_text("备忘", encoding="utf-8")


def _htm_page(site: Path) -> None:
    (site / "old.htm").write_text("<p>关于青松计划的通知</p>", encoding="utf-8")


def _changed_theme_asset(site: Path) -> None:
    asset = _theme_asset(site)
    asset.write_text(asset.read_text(encoding="utf-8") + "\n// 青松计划\n", encoding="utf-8")


def _term_in_sitemap_gz(site: Path) -> None:
    import gzip

    (site / "sitemap.xml.gz").write_bytes(gzip.compress("<urlset><url>青松计划</url></urlset>".encode()))


def _last_page(site: Path) -> Path:
    return sorted(site.rglob("index.html"))[-1]


def _term_in_a_repeated_nav(site: Path) -> None:
    """The navigation is screened once per build; a page whose copy of it differs is screened."""
    page = _last_page(site)
    html = page.read_text(encoding="utf-8")
    at = html.index('class="md-nav__link"')
    page.write_text(html[:at] + 'title="&#0038738;&#26494计划" ' + html[at:], encoding="utf-8")


def _term_in_an_attribute_name(site: Path) -> None:
    page = _last_page(site)
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("<article", "<span x青松计划></span><article", 1), encoding="utf-8")


def _term_in_a_folder_name(site: Path) -> None:
    shutil.copytree(site / "news", site / "青松计划")


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda site: None, None),  # the sample as built: every file has an origin
        (_unknown_file, "no cleared source, theme file or MkDocs output made this file"),
        (_htm_page, "no cleared source, theme file or MkDocs output made this file"),
        (_changed_theme_asset, "site/assets/javascripts/bundle."),
        (_term_in_sitemap_gz, "site/sitemap.xml.gz: codename.project"),
        (_term_in_a_folder_name, "site/青松计划: codename.project"),
        (_term_in_a_repeated_nav, ": codename.project"),
        (_term_in_an_attribute_name, ": codename.project"),
    ],
    ids=[
        "as-built",
        "unknown-file",
        "htm-page",
        "changed-theme-asset",
        "sitemap-gz",
        "folder-name",
        "repeated-nav",
        "attribute-name",
    ],
)
def test_the_built_site_audit(
    portal: Path, monkeypatch: pytest.MonkeyPatch, tamper: object, problem: str | None
) -> None:
    problems = _audit_after(portal, tamper, monkeypatch)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems
