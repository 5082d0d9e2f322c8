from pathlib import Path

from tests.conftest import ROOT, rule_ids


def test_sample_drafts_are_blocked_and_articles_are_clean(cli) -> None:  # type: ignore[no-untyped-def]
    # The bundled sample: regular articles screen clean, the two drafts block.
    articles = cli(
        [
            "check",
            "content/news",
            "content/notices",
            "content/policy",
            "content/open",
            "content/secrecy",
            "content/index.md",
        ]
    )
    assert articles.code == 0, articles.out
    drafts = cli(["check", "content/drafts"])
    assert drafts.code == 1
    assert "marking.classified" in drafts.out
    assert "11010519491231002X" not in drafts.out  # redacted by default


def test_engine_fixture(engine) -> None:  # type: ignore[no-untyped-def]
    assert "codename.project" in rule_ids(engine, "关于青松计划的通知")
    assert Path(ROOT / "rules").is_dir()
