"""`baomi import FILE.docx`: a Word draft becomes a screened page (issue 16). The drafts are built
with python-docx, as Word libraries write them; tracked changes are written as Word records them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image

from tests.conftest import Run, write_portal

Cli = Callable[..., Run]
TITLE = "关于做好2026年春节期间值班工作的通知"


def _notice(path: Path, extra: str = "请各单位认真落实。") -> Path:
    """A 通知 with its 发文字号, a heading, bold text, a list, a table, an image and a footnote-free body."""
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_paragraph("青政办发〔2026〕3号")
    document.add_heading("一、值班安排", level=1)
    paragraph = document.add_paragraph("各乡镇要")
    paragraph.add_run("加强").bold = True
    paragraph.add_run(f"值班。{extra}")
    document.add_paragraph("值班人员名单报县政府办公室", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {
        (0, 0): "单位",
        (0, 1): "值班电话",
        (1, 0): "县政府办",
        (1, 1): "0571-5550123",
    }.items():
        table.cell(row, column).text = text
    picture = path.with_suffix(".png")
    Image.new("RGB", (24, 24), "red").save(picture)
    document.add_picture(str(picture))
    document.save(path)
    return path


def _portal(tmp_path: Path) -> Path:
    root = write_portal(tmp_path / "portal", {"mkdocs.yml": "site_name: 青溪县\ndocs_dir: content\n"})
    (root / "content" / "news").mkdir()
    return root


def test_a_notice_becomes_a_page_with_its_title_table_and_image(cli: Cli, tmp_path: Path) -> None:
    root = _portal(tmp_path)
    source = _notice(tmp_path / "通知.docx")
    run = cli(["import", str(source), "--to", "content/news/notice.md"], cwd=root)
    assert run.code == 0, run.err + run.out
    page = (root / "content/news/notice.md").read_text(encoding="utf-8")
    assert page.startswith(f"---\ntitle: {TITLE}\n---\n")
    assert "青政办发〔2026〕3号" in page and "# 一、值班安排" in page and "**加强**" in page
    assert "| 县政府办 | 0571-5550123 |" in page
    assert "![](notice.assets/media/image1.png)" in page
    assert (root / "content/news/notice.assets/media/image1.png").is_file()
    assert "content/news/notice.md" in run.err and "1 image" in run.err
    assert "clean" in run.out


def test_the_new_page_is_screened_at_once(cli: Cli, tmp_path: Path) -> None:
    root = _portal(tmp_path)
    source = _notice(tmp_path / "draft.docx", extra="青松计划相关事项另行通知。")
    run = cli(["import", str(source)], cwd=root)
    assert run.code == 1
    assert "codename.project" in run.out and "青松计划" not in run.out  # redacted
    assert (root / "content/draft.md").is_file()  # the page is written, the drafter fixes it


def _tracked(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("第一段。")
    paragraph = document.add_paragraph()
    inserted = OxmlElement("w:ins")
    for key, value in (("w:id", "1"), ("w:author", "李四"), ("w:date", "2026-01-01T00:00:00Z")):
        inserted.set(qn(key), value)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "修订时加入的句子"
    run.append(text)
    inserted.append(run)
    paragraph._p.append(inserted)
    document.save(path)
    return path


def _commented(path: Path) -> Path:
    document = docx.Document()
    paragraph = document.add_paragraph("有批注的段落")
    document.add_comment(paragraph.runs[0], text="此处数字请核实", author="张三")
    document.save(path)
    return path


@pytest.mark.parametrize(
    ("make", "listed"),
    [(_tracked, "paragraph 2: tracked insertion by 李四"), (_commented, "comment 0 by 张三")],
)
def test_tracked_changes_and_comments_are_refused(
    cli: Cli, tmp_path: Path, make: Callable[[Path], Path], listed: str
) -> None:
    root = _portal(tmp_path)
    run = cli(["import", str(make(tmp_path / "draft.docx"))], cwd=root)
    assert run.code == 1
    assert listed in run.err and "accept or reject all changes" in run.err
    assert not (root / "content/draft.md").exists()


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".et"])
def test_old_formats_say_how_to_save_as_docx(cli: Cli, tmp_path: Path, suffix: str, chinese: None) -> None:
    root = _portal(tmp_path)
    old = tmp_path / f"draft{suffix}"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    run = cli(["import", str(old)], cwd=root)
    assert run.code == 2 and ".docx" in run.err and "另存为" in run.err  # the menus of a Chinese Word or WPS


def test_a_broken_or_encrypted_file_is_an_input_error(cli: Cli, tmp_path: Path) -> None:
    root = _portal(tmp_path)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    run = cli(["import", str(broken)], cwd=root)
    assert run.code == 2
    encrypted = tmp_path / "encrypted.docx"
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64
    )
    run = cli(["import", str(encrypted)], cwd=root)
    assert run.code == 2 and "encrypted" in run.err
    assert list((root / "content").rglob("*.md")) == []


def test_nothing_is_overwritten_and_pages_stay_in_the_docs_folder(cli: Cli, tmp_path: Path) -> None:
    root = _portal(tmp_path)
    source = _notice(tmp_path / "notice.docx")
    (root / "content/news/notice.md").write_text("# 已有稿件\n", encoding="utf-8")
    run = cli(["import", str(source), "--to", "content/news/notice.md"], cwd=root)
    assert run.code == 2 and "exists" in run.err
    assert (root / "content/news/notice.md").read_text(encoding="utf-8") == "# 已有稿件\n"
    run = cli(["import", str(source), "--to", "../outside.md"], cwd=root)
    assert run.code == 2 and "under content/" in run.err
