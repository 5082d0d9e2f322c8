"""Attachments end to end: each kind of file a portal publishes, made in the test, screened by the
engine and the CLI, with the place of each finding inside the file (`page 2`, `Sheet1!B3`,
`EXIF GPS`), and every way such a file can be unreadable refused with exit 2."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screen.engine import Engine
from screen.errors import InputError
from screen.source import read_document
from tests.conftest import Run, write_portal
from tests.test_ooxml import CELL_COMMENTS, COMMENTS, DELETION, docx, p, pptx, rels, sheet1, slide, tbl, xlsx

KEY = b"attachment-test-key-0123456789"
TERM = "青松计划"  # codename.project, block
ID_NUMBER = "11010519491231002X"  # pii.resident_id, block (generated, valid check digit)


def pdf(pages: list[str], title: str = "", password: str = "") -> bytes:
    """A PDF whose pages show `pages` (ASCII, Helvetica) and whose /Title is `title` (any text)."""
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    contents = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        contents.append(len(objects))
    pages_id = len(objects) + len(pages) + 1
    kids = []
    for content in contents:
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 1 0 R >> >> >>" % (pages_id, content)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids)))
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    catalog = len(objects)
    info = b""
    if title:
        objects.append(b"<< /Title <FEFF%s> >>" % title.encode("utf-16-be").hex().upper().encode())
        info = b" /Info %d 0 R" % len(objects)
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root %d 0 R%s >>" % (len(objects) + 1, catalog, info)
    out.write(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))
    data = out.getvalue()
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password)
        encrypted = io.BytesIO()
        writer.write(encrypted)
        data = encrypted.getvalue()
    return data


def jpeg(**exif: object) -> bytes:
    from PIL import Image

    tags = Image.Exif()
    for tag, value in exif.items():
        tags[int(tag.removeprefix("t"), 16)] = value
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG", exif=tags)
    return out.getvalue()


def jpeg_gps() -> bytes:
    from PIL import Image

    tags = Image.Exif()
    tags[0x8825] = {1: "N", 2: (31.0, 13.0, 49.5), 3: "E", 4: (121.0, 28.0, 25.3)}
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG", exif=tags)
    return out.getvalue()


def png(**texts: str) -> bytes:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in texts.items():
        info.add_itxt(key, value)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG", pnginfo=info)
    return out.getvalue()


CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title></cp:coreProperties>'
)

CODE = "codename.project"
HIDDEN_SHEET = f'<sheetData><row><c r="B3" t="inlineStr"><is><t>{TERM}</t></is></c></row></sheetData>'
NOTES_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>'
)
COMMENT_RELS = rels(("comments", "../comments1.xml"))
NOTES = slide(f"备注：{TERM}").replace("p:sld ", "p:notes ").replace("</p:sld>", "</p:notes>")


def with_notes() -> bytes:
    return pptx(
        [slide("汇报")],
        {"ppt/slides/_rels/slide1.xml.rels": NOTES_RELS, "ppt/notesSlides/notesSlide1.xml": NOTES},
    )


# (id, file name, maker, rule, location of the finding inside the file)
CASES: list[tuple[str, str, Callable[[], bytes], str, str]] = [
    ("pdf-page-2", "a.pdf", lambda: pdf(["Page one", f"ID {ID_NUMBER}"]), "pii.resident_id", "page 2"),
    ("pdf-title", "a.pdf", lambda: pdf(["Page"], title=f"{TERM}汇报"), CODE, "PDF info Title"),
    ("docx-paragraph", "a.docx", lambda: docx(p("前言") + p(f"关于{TERM}的通知")), CODE, "paragraph 2"),
    ("docx-tracked-deletion", "a.docx", lambda: docx(DELETION), CODE, "paragraph 1 (tracked deletion)"),
    ("docx-cell", "a.docx", lambda: docx(tbl((p("项目"), p(TERM)))), CODE, "table 1 row 1 cell 2"),
    ("docx-comment", "a.docx",
     lambda: docx(p("正文"), {"word/comments.xml": COMMENTS.replace("请核实", TERM)}), CODE, "comment 1"),
    ("docx-title", "a.docx", lambda: docx(p("正文"), {"docProps/core.xml": CORE.format(TERM)}),
     CODE, "docProps/core.xml title"),
    ("xlsx-hidden-sheet", "a.xlsx",
     lambda: xlsx([("公开", "visible", "<sheetData/>"), ("底稿", "hidden", HIDDEN_SHEET)]),
     CODE, "底稿!B3 (hidden sheet)"),
    ("xlsx-cell-comment", "a.xlsx",
     lambda: sheet1("<sheetData/>", xl__worksheets___rels__sheet1_xml_rels=COMMENT_RELS,
                    xl__comments1_xml=CELL_COMMENTS.replace("请核实", TERM)),
     CODE, "Sheet1!B3 comment"),
    ("pptx-notes", "a.pptx", with_notes, CODE, "slide 1 notes"),
    ("jpeg-gps", "a.jpg", jpeg_gps, "metadata.gps_position", "EXIF GPS"),
    ("jpeg-owner", "a.jpg", lambda: jpeg(tA430="陈红"), "metadata.device_owner", "EXIF CameraOwnerName"),
    ("jpeg-description", "a.jpg", lambda: jpeg(t010E=f"{TERM}现场".encode()), CODE, "EXIF ImageDescription"),
    ("png-itxt", "a.png", lambda: png(Title=TERM), CODE, "PNG iTXt Title"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "rule", "location"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_finding_inside_an_attachment_names_its_place(
    engine: Engine, name: str, make: Callable[[], bytes], rule: str, location: str
) -> None:
    document = read_document(name, make())
    found = [f for f in engine.screen(document, KEY) if f.rule == rule]
    assert [(f.location, f.scope.value) for f in found] == [(location, "attachment")]
    assert len(document.locations) == document.text.count("\n") + 1


def test_a_term_split_across_neighbouring_cells_is_found(engine: Engine) -> None:
    data = xlsx([("Sheet1", "visible", '<sheetData><row><c r="A1" t="inlineStr"><is><t>东岭</t></is></c>'
                 '<c r="B1" t="inlineStr"><is><t>基地</t></is></c></row></sheetData>')])  # fmt: skip
    found = engine.screen(read_document("a.xlsx", data), KEY)
    assert [(f.rule, f.location) for f in found] == [("codename.project", "Sheet1!A1")]


def test_the_cli_reports_the_place_in_every_format(cli: Callable[..., Run], tmp_path: Path) -> None:
    write_portal(
        tmp_path, {"content/a.md": "# 通知\n", "content/附件.pdf": pdf(["Page one", f"ID {ID_NUMBER}"])}
    )
    run = cli(["check", "--format", "json"], cwd=tmp_path)
    [finding] = json.loads(run.out)["findings"]
    assert (finding["path"], finding["location"], finding["rule"]) == (
        "content/附件.pdf",
        "page 2",
        "pii.resident_id",
    )
    assert ID_NUMBER not in run.out
    text = cli(["check"], cwd=tmp_path).out
    assert "(attachment, page 2)" in text
    sarif = json.loads(cli(["check", "--format", "sarif"], cwd=tmp_path).out)
    assert sarif["runs"][0]["results"][0]["properties"]["location"] == "page 2"
    assert "(page 2)" in cli(["check", "--format", "markdown"], cwd=tmp_path).out


REFUSED: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("pdf-encrypted", "a.pdf", lambda: pdf(["x"], password="pw"), "encrypted"),
    ("pdf-garbage", "a.pdf", lambda: b"%PDF-1.4 garbage", "cannot read this .pdf file"),
    ("pdf-truncated", "a.pdf", lambda: pdf(["Page"])[:120], "cannot read this .pdf file"),
    ("docx-encrypted", "a.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "encrypted"),
    ("docx-garbage", "a.docx", lambda: b"PK\x03\x04 garbage", "re-export"),
    ("xlsx-not-a-workbook", "a.xlsx", lambda: docx(p("x")), "xl/workbook.xml"),
    ("png-garbage", "a.png", lambda: b"\x89PNG\r\n\x1a\n garbage", "re-export"),
    ("jpeg-garbage", "a.jpg", lambda: b"\xff\xd8\xff\xe0 truncated", "re-export"),
]


@pytest.mark.parametrize(
    ("name", "make", "expected"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
def test_an_unreadable_attachment_is_refused_naming_the_file(
    name: str, make: Callable[[], bytes], expected: str
) -> None:
    with pytest.raises(InputError) as raised:
        read_document(f"content/{name}", make())
    assert raised.value.path == f"content/{name}"
    assert expected in raised.value.reason


def test_an_unreadable_attachment_exits_2_with_one_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    write_portal(tmp_path, {"content/a.md": "# 通知\n", "content/b.pdf": pdf(["x"], password="pw")})
    run = cli(["check"], cwd=tmp_path)
    assert run.code == 2
    assert next(line for line in run.out.splitlines() if "b.pdf" in line).startswith("content/b.pdf: error:")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_pdf_is_read_or_refused_never_crashes(data: st.DataObject) -> None:
    original = bytearray(pdf(["Page one", f"ID {ID_NUMBER}"], title=TERM))
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(original) // 2, len(original)))
    try:
        document = read_document("a.pdf", bytes(original[:cut]))
    except InputError as error:
        assert error.path == "a.pdf" and error.reason
        return
    assert len(document.locations) == document.text.count("\n") + 1 or document.text == ""


def test_a_zip_bomb_named_docx_is_refused_quickly() -> None:
    import time
    import zlib

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        chunk = b"\x00" * (1 << 20)
        body = b"".join(compressor.compress(chunk) for _ in range(512)) + compressor.flush()
        info.file_size = 512 << 20
        info.compress_size = len(body)
        info.CRC = 0
        archive.writestr(info, b"")  # header only; the raw deflate stream is patched in below
    start = time.perf_counter()
    with pytest.raises(InputError):
        read_document("a.docx", out.getvalue().replace(b"", b"", 1) + body)
    assert time.perf_counter() - start < 2
