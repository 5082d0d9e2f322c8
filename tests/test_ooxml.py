"""Office Open XML attachments: every piece of text a reader can get at comes out with a location a
person can find, and hostile packages (bombs, lying headers, encrypted or legacy files, garbage)
are refused with an InputError in bounded time. Fixtures are built here from hand-written XML."""

from __future__ import annotations

import io
import random
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screen.engine import Engine
from screen.errors import InputError
from screen.model import Scope
from screen.source import Document, ooxml
from screen.source.fields import Field
from screen.source.layers import LayerBuilder
from screen.source.ooxml import docx_fields, pptx_fields, xlsx_fields

Reader = Callable[[bytes], Iterator[Field]]

# --- building packages --------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
OFFICE = "application/vnd.openxmlformats-officedocument"
MAIN_TYPES = {
    "word/document.xml": f"{OFFICE}.wordprocessingml.document.main+xml",
    "xl/workbook.xml": f"{OFFICE}.spreadsheetml.sheet.main+xml",
    "ppt/presentation.xml": f"{OFFICE}.presentationml.presentation.main+xml",
}


def rels(*targets: tuple[str, str] | tuple[str, str, str]) -> str:
    """A .rels part: (type, target) pairs get ids rId1, rId2, …; a third item `External` marks a
    link outside the package."""
    body = "".join(
        f'<Relationship Id="rId{n}" Type="{REL}{t[0]}" Target="{t[1]}"'
        + (' TargetMode="External"' if len(t) == 3 else "")
        + "/>"
        for n, t in enumerate(targets, 1)
    )
    return f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'


def package(parts: dict[str, str], main: str, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of `parts` with [Content_Types].xml and a package relationship to `main`."""
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{MAIN_TYPES[main]}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels(("officeDocument", main)))
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def part_name(key: str) -> str:
    """A keyword argument as a part name: `__` is `/`, a trailing `_xml`/`_xml_rels` the extension
    (word___rels__document_xml_rels is word/_rels/document.xml.rels)."""
    *folders, last = key.split("__")
    last = (
        last.replace("_xml_rels", ".xml.rels")
        if last.endswith("_xml_rels")
        else last.removesuffix("_xml") + ".xml"
    )
    return "/".join([*folders, last])


def p(*runs: str) -> str:
    """A Word paragraph, one run per text."""
    return "<w:p>" + "".join(f"<w:r><w:t>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def tbl(*rows: tuple[str, ...]) -> str:
    """A Word table; each cell holds the given XML (paragraphs, nested tables)."""
    return (
        "<w:tbl>"
        + "".join("<w:tr>" + "".join(f"<w:tc>{c}</w:tc>" for c in row) + "</w:tr>" for row in rows)
        + "</w:tbl>"
    )


def docx(body: str, parts: dict[str, str] | None = None, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A .docx whose body is `body`, with more parts by name."""
    document = f"<w:document {W} {R}><w:body>{body}</w:body></w:document>"
    return package({"word/document.xml": document, **(parts or {})}, "word/document.xml", compression)


def xlsx(
    sheets: list[tuple[str, str, str]],
    parts: dict[str, str] | None = None,
    *,
    strings: tuple[str, ...] = (),
    defined: str = "",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A .xlsx: (name, state, worksheet inner XML) per sheet, shared strings `<si>` bodies."""
    listed = "".join(
        f'<sheet name="{name}" sheetId="{n}" state="{state}" r:id="rId{n}"/>'
        for n, (name, state, _) in enumerate(sheets, 1)
    )
    book = f"<workbook {S} {R}><sheets>{listed}</sheets>{defined}</workbook>"
    targets = [("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)]
    built = {
        "xl/workbook.xml": book,
        "xl/_rels/workbook.xml.rels": rels(*targets, ("sharedStrings", "sharedStrings.xml")),
        "xl/sharedStrings.xml": f"<sst {S}>" + "".join(f"<si>{s}</si>" for s in strings) + "</sst>",
    }
    for n, (_, _, inner) in enumerate(sheets, 1):
        built[f"xl/worksheets/sheet{n}.xml"] = f"<worksheet {S} {R}>{inner}</worksheet>"
    built |= parts or {}
    return package(built, "xl/workbook.xml", compression)


def slide(*paragraphs: str, show: str = "") -> str:
    """A slide with one shape; each paragraph is DrawingML runs (`<a:r>…</a:r>`) or plain text."""
    body = "".join(
        f"<a:p>{x if x.startswith('<') else f'<a:r><a:t>{x}</a:t></a:r>'}</a:p>" for x in paragraphs
    )
    attribute = f' show="{show}"' if show else ""
    return (
        f"<p:sld {P} {A} {R}{attribute}><p:cSld><p:spTree><p:sp><p:txBody>{body}"
        "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
    )


def pptx(slides: list[str], parts: dict[str, str] | None = None, *, order: list[int] | None = None) -> bytes:
    """A .pptx; `order` lists slide part numbers in presentation order (default 1, 2, …)."""
    numbers = order or list(range(1, len(slides) + 1))
    listed = "".join(f'<p:sldId id="{255 + n}" r:id="rId{n}"/>' for n in numbers)
    built = {
        "ppt/presentation.xml": f"<p:presentation {P} {R}><p:sldIdLst>{listed}</p:sldIdLst></p:presentation>",
        "ppt/_rels/presentation.xml.rels": rels(
            *[("slide", f"slides/slide{n}.xml") for n in range(1, len(slides) + 1)]
        ),
    }
    for n, text in enumerate(slides, 1):
        built[f"ppt/slides/slide{n}.xml"] = text
    built |= parts or {}
    return package(built, "ppt/presentation.xml")


def pairs(reader: Reader, data: bytes) -> list[tuple[str, str]]:
    return [(f.location, f.text) for f in reader(data)]


CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
    "<dc:title>青松计划汇报</dc:title><dc:subject>主题</dc:subject><dc:creator>王建国</dc:creator>"
    "<cp:keywords>东岭基地</cp:keywords><dc:description>摘要</dc:description>"
    "<cp:lastModifiedBy>李明</cp:lastModifiedBy><cp:category>内部</cp:category>"
    "<dcterms:created>2024-01-01T00:00:00Z</dcterms:created></cp:coreProperties>"
)
VT = 'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
APP = (
    f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" {VT}>'
    "<Pages>3</Pages><Company>某某研究所</Company><Manager>赵处长</Manager>"
    "<TitlesOfParts><vt:vector><vt:lpstr>旧标题</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
)
CUSTOM = (
    f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" {VT}>'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="项目代号">'
    "<vt:lpwstr>青松计划</vt:lpwstr></property></Properties>"
)
FOOTNOTES = (
    f"<w:footnotes {W}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0">'
    "<w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    f'<w:footnote w:id="1">{p("脚注一")}</w:footnote>'
    f'<w:footnote w:id="2">{p("脚注", "二")}{p("续")}</w:footnote>'
    "</w:footnotes>"
)
ENDNOTES = f'<w:endnotes {W}><w:endnote w:id="1">{p("尾注")}</w:endnote></w:endnotes>'
COMMENTS = (
    f"<w:comments {W}>"
    f'<w:comment w:id="0" w:author="张三" w:initials="ZS">{p("请核实")}</w:comment>'
    f'<w:comment w:id="5" w:author="李四">{p("第二条")}</w:comment></w:comments>'
)
DELETION = (
    "<w:p><w:r><w:t>关于</w:t></w:r>"
    '<w:del w:id="1" w:author="王"><w:r><w:delText>青松</w:delText></w:r>'
    "<w:r><w:rPr><w:b/></w:rPr><w:delText>计划</w:delText></w:r></w:del>"
    "<w:r><w:t>的通知</w:t></w:r></w:p>"
)
DELETIONS_APART = (
    "<w:p><w:del><w:r><w:delText>青松</w:delText></w:r></w:del><w:r><w:t>和</w:t></w:r>"
    "<w:del><w:r><w:delText>计划</w:delText></w:r></w:del></w:p>"
)
INSERTION = (
    '<w:p><w:r><w:t>关于</w:t></w:r><w:ins w:id="1" w:author="王"><w:r><w:t>新增</w:t></w:r></w:ins></w:p>'
)
TAB_STOP = (
    '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>甲</w:t></w:r></w:p>'
)
TEXT_BOX = (
    "<w:p><w:r><w:t>锚点</w:t></w:r><w:r><w:drawing>"
    '<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    f"<a:graphic {A}><a:graphicData>"
    '<wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:txbx>'
    f"<w:txbxContent>{p('文本框', '内容')}</w:txbxContent></wps:txbx></wps:wsp>"
    "</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r></w:p>"
)
CHART = (
    f'<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" {A}>'
    "<c:chart><c:title><c:tx><c:rich>"
    "<a:p><a:r><a:t>青松</a:t></a:r><a:r><a:t>计划</a:t></a:r></a:p>"
    "</c:rich></c:tx></c:title></c:chart></c:chartSpace>"
)
LINK = rels(("hyperlink", "http://10.1.2.3/内部", "External"))


def grid(*cells: str) -> str:
    """Sheet data: one row per argument (cells XML)."""
    return "<sheetData>" + "".join(f"<row>{row}</row>" for row in cells) + "</sheetData>"


def sheet1(data: str, **parts: str) -> bytes:
    """A workbook of one sheet, more parts named as in `part_name`."""
    return xlsx([("Sheet1", "visible", data)], {part_name(key): text for key, text in parts.items()})


INLINE = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
FORMULA = '<c r="B3" t="str"><f>"青松"&amp;"计划"</f><v>青松计划</v></c>'
RICH = "<r><t>青松</t></r><r><rPr><b/></rPr><t>计划</t></r>"
CELL_COMMENTS = (
    f"<comments {S}><authors><author>李四</author></authors><commentList>"
    '<comment ref="B3" authorId="0"><text><r><t>请核实</t></r><r><t>数据</t></r></text></comment>'
    "</commentList></comments>"
)
THREAD_RELS = rels(("threadedComment", "../threadedComments/threadedComment1.xml")).replace(
    REL + "threadedComment", "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
)
THREAD = (
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<threadedComment ref="C5" id="{1}" personId="{2}"><text>讨论一下</text></threadedComment>'
    "</ThreadedComments>"
)
DEFINED = '<definedNames><definedName name="青松范围">Sheet1!$A$1:$B$2</definedName></definedNames>'
PRINT_HEADER = "<sheetData/><headerFooter><oddHeader>&amp;C内部资料</oddHeader></headerFooter>"
DRAWING = (
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
    f" {A}><xdr:sp><xdr:txBody><a:p><a:r><a:t>东岭</a:t></a:r><a:r><a:t>基地</a:t></a:r></a:p>"
    "</xdr:txBody></xdr:sp></xdr:wsDr>"
)
PIVOT = f'<pivotCacheRecords {S}><r><s v="青松计划"/><n v="3"/></r></pivotCacheRecords>'
SHAPE = "<p:sp><p:txBody>{}</p:txBody></p:sp>"
TABLE_SLIDE = (
    f"<p:sld {P} {A}><p:cSld><p:spTree><p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr><a:tc>"
    "<a:txBody><a:p><a:r><a:t>表格</a:t></a:r></a:p></a:txBody>"
    "</a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame></p:spTree></p:cSld></p:sld>"
)
NOTES = (
    f"<p:notes {P} {A}><p:cSld><p:spTree><p:sp><p:txBody>"
    "<a:p><a:r><a:t>讲稿：青松计划</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"
)
LEGACY_COMMENT = (
    f'<p:cmLst {P}><p:cm authorId="0" idx="1"><p:pos x="1" y="1"/><p:text>删掉这页</p:text></p:cm></p:cmLst>'
)
LEGACY_AUTHORS = f'<p:cmAuthorLst {P}><p:cmAuthor id="0" name="王五" initials="WW"/></p:cmAuthorLst>'
P188 = 'xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main"'
MODERN_RELS = rels(("comments", "../comments/modernComment_1.xml")).replace(
    REL + "comments", "http://schemas.microsoft.com/office/2018/10/relationships/comments"
)
MODERN_COMMENT = (
    f'<p188:cmLst {P188} {A}><p188:cm id="{{1}}" authorId="{{A}}"><p188:replyLst>'
    '<p188:reply id="{2}" authorId="{B}"><p188:txBody><a:p><a:r><a:t>同意</a:t></a:r></a:p>'
    "</p188:txBody></p188:reply></p188:replyLst>"
    "<p188:txBody><a:p><a:r><a:t>请改</a:t></a:r></a:p></p188:txBody></p188:cm></p188:cmLst>"
)
MODERN_AUTHORS = f'<p188:authorLst {P188}><p188:author id="{{B}}" name="赵六"/></p188:authorLst>'
MASTER = (
    f"<p:sldMaster {P} {A}><p:cSld><p:spTree><p:sp><p:txBody>"
    "<a:p><a:r><a:t>内部资料</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sldMaster>"
)
SLIDE_RELS = "ppt__slides___rels__slide1_xml_rels"
COMMENT_RELS = rels(("comments", "../comments1.xml"))


def one_slide(**parts: str) -> bytes:
    """A presentation of one slide, more parts named as in `part_name`."""
    return pptx([slide("x")], {part_name(key): text for key, text in parts.items()})


def one_paragraph(**parts: str) -> bytes:
    """A document of one paragraph, more parts named as in `part_name`."""
    return docx(p("x"), {part_name(key): text for key, text in parts.items()})


def word_part(part: str, root: str, body: str) -> bytes:
    return docx(p("x"), {part: f"<w:{root} {W}>{body}</w:{root}>"})


# (id, reader, file maker, (location, text) that must be among the fields)
EXTRACTED: list[tuple[str, Reader, Callable[[], bytes], tuple[str, str]]] = [
    # --- .docx ---
    (
        "docx-paragraph",
        docx_fields,
        lambda: docx(p("第一段") + p("关于", "青松计划")),
        ("paragraph 2", "关于青松计划"),
    ),
    ("docx-runs-join", docx_fields, lambda: docx(p("青", "松", "计划")), ("paragraph 1", "青松计划")),
    (
        "docx-tab-and-break-are-spaces",
        docx_fields,
        lambda: docx("<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>"),
        ("paragraph 1", "甲 乙 丙"),
    ),
    # <w:tab> in paragraph properties defines a tab stop, not a space
    ("docx-tab-stop-is-not-text", docx_fields, lambda: docx(TAB_STOP), ("paragraph 1", "甲")),
    (
        "docx-table-cell",
        docx_fields,
        lambda: docx(tbl((p("a"), p("b")), (p("东岭基地"), p("c")))),
        ("table 1 row 2 cell 1", "东岭基地"),
    ),
    (
        "docx-cell-paragraphs-join",
        docx_fields,
        lambda: docx(tbl((p("一") + p("二"),))),
        ("table 1 row 1 cell 1", "一 二"),
    ),
    # tables are counted apart from the paragraphs between them
    (
        "docx-second-table",
        docx_fields,
        lambda: docx(tbl((p("x"),)) + p("中间") + tbl((p("y"), p("第二表")))),
        ("table 2 row 1 cell 2", "第二表"),
    ),
    (
        "docx-nested-table",
        docx_fields,
        lambda: docx(tbl((p("外") + tbl((p("内层"),)),))),
        ("table 1 row 1 cell 1 table 1 row 1 cell 1", "内层"),
    ),
    (
        "docx-header",
        docx_fields,
        lambda: word_part("word/header1.xml", "hdr", p("机密★5年")),
        ("header1.xml paragraph 1", "机密★5年"),
    ),
    (
        "docx-footer",
        docx_fields,
        lambda: word_part("word/footer2.xml", "ftr", p("a") + p("页脚")),
        ("footer2.xml paragraph 2", "页脚"),
    ),
    (
        "docx-header-table",
        docx_fields,
        lambda: word_part("word/header1.xml", "hdr", tbl((p("表头"),))),
        ("header1.xml table 1 row 1 cell 1", "表头"),
    ),
    (
        "docx-footnote",
        docx_fields,
        lambda: one_paragraph(word__footnotes_xml=FOOTNOTES),
        ("footnote 1", "脚注一"),
    ),
    (
        "docx-footnote-paragraphs",
        docx_fields,
        lambda: one_paragraph(word__footnotes_xml=FOOTNOTES),
        ("footnote 2", "脚注二 续"),
    ),
    ("docx-endnote", docx_fields, lambda: one_paragraph(word__endnotes_xml=ENDNOTES), ("endnote 1", "尾注")),
    (
        "docx-comment",
        docx_fields,
        lambda: one_paragraph(word__comments_xml=COMMENTS),
        ("comment 1", "请核实"),
    ),
    (
        "docx-comment-author",
        docx_fields,
        lambda: one_paragraph(word__comments_xml=COMMENTS),
        ("comment 1 author", "张三"),
    ),
    # numbered in stored order, not by w:id (5)
    (
        "docx-second-comment",
        docx_fields,
        lambda: one_paragraph(word__comments_xml=COMMENTS),
        ("comment 2", "第二条"),
    ),
    ("docx-tracked-insertion-is-text", docx_fields, lambda: docx(INSERTION), ("paragraph 1", "关于新增")),
    (
        "docx-tracked-deletion",
        docx_fields,
        lambda: docx(p("x") + DELETION),
        ("paragraph 2 (tracked deletion)", "青松计划"),
    ),
    ("docx-text-around-a-deletion", docx_fields, lambda: docx(DELETION), ("paragraph 1", "关于的通知")),
    # visible text between two deletions: a space, so they cannot form a term
    (
        "docx-deletions-apart-do-not-join",
        docx_fields,
        lambda: docx(DELETIONS_APART),
        ("paragraph 1 (tracked deletion)", "青松 计划"),
    ),
    (
        "docx-deletion-in-a-cell",
        docx_fields,
        lambda: docx(tbl((DELETION,))),
        ("table 1 row 1 cell 1 (tracked deletion)", "青松计划"),
    ),
    (
        "docx-moved-away-text",
        docx_fields,
        lambda: docx("<w:p><w:moveFrom><w:r><w:t>挪走</w:t></w:r></w:moveFrom></w:p>"),
        ("paragraph 1 (tracked deletion)", "挪走"),
    ),
    ("docx-text-box", docx_fields, lambda: docx(TEXT_BOX), ("paragraph 1 text box", "文本框内容")),
    (
        "docx-hidden-text-is-text",
        docx_fields,
        lambda: docx("<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>"),
        ("paragraph 1", "隐藏"),
    ),
    (
        "docx-core-title",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml title", "title: 青松计划汇报"),
    ),
    (
        "docx-core-subject",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml subject", "subject: 主题"),
    ),
    (
        "docx-core-creator",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml creator", "creator: 王建国"),
    ),
    (
        "docx-core-keywords",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml keywords", "keywords: 东岭基地"),
    ),
    (
        "docx-core-description",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml description", "description: 摘要"),
    ),
    (
        "docx-core-last-modified-by",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml lastModifiedBy", "lastModifiedBy: 李明"),
    ),
    (
        "docx-core-category",
        docx_fields,
        lambda: one_paragraph(docProps__core_xml=CORE),
        ("docProps/core.xml category", "category: 内部"),
    ),
    (
        "docx-app-company",
        docx_fields,
        lambda: one_paragraph(docProps__app_xml=APP),
        ("docProps/app.xml Company", "Company: 某某研究所"),
    ),
    (
        "docx-app-manager",
        docx_fields,
        lambda: one_paragraph(docProps__app_xml=APP),
        ("docProps/app.xml Manager", "Manager: 赵处长"),
    ),
    # titles of parts can hold a stale title
    (
        "docx-app-titles-of-parts",
        docx_fields,
        lambda: one_paragraph(docProps__app_xml=APP),
        ("docProps/app.xml TitlesOfParts", "TitlesOfParts: 旧标题"),
    ),
    (
        "docx-custom-property",
        docx_fields,
        lambda: one_paragraph(docProps__custom_xml=CUSTOM),
        ("docProps/custom.xml 项目代号", "项目代号: 青松计划"),
    ),
    # parts without a specific reader are swept, runs joined per paragraph
    (
        "docx-chart-swept",
        docx_fields,
        lambda: one_paragraph(word__charts__chart1_xml=CHART),
        ("word/charts/chart1.xml", "青松计划"),
    ),
    (
        "docx-external-link-target",
        docx_fields,
        lambda: one_paragraph(word___rels__document_xml_rels=LINK),
        ("word/_rels/document.xml.rels rId1", "http://10.1.2.3/内部"),
    ),
    # mixed content: text after a child element is read too
    (
        "docx-custom-xml-tail-text",
        docx_fields,
        lambda: one_paragraph(customXml__item1_xml="<root>青松<b>计划</b>内容</root>"),
        ("customXml/item1.xml", "内容"),
    ),
    (
        "docx-stored-not-deflated",
        docx_fields,
        lambda: docx(p("存储"), compression=zipfile.ZIP_STORED),
        ("paragraph 1", "存储"),
    ),
    # --- .xlsx ---
    (
        "xlsx-shared-string",
        xlsx_fields,
        lambda: xlsx(
            [("Sheet1", "visible", grid('<c r="A1" t="s"><v>0</v></c>'))], strings=("<t>青松计划</t>",)
        ),
        ("Sheet1!A1", "青松计划"),
    ),
    (
        "xlsx-rich-shared-string",
        xlsx_fields,
        lambda: xlsx(
            [("Sheet1", "visible", grid('<c r="B2" t="s"><v>1</v></c>'))], strings=("<t>x</t>", RICH)
        ),
        ("Sheet1!B2", "青松计划"),
    ),
    (
        "xlsx-inline-string",
        xlsx_fields,
        lambda: sheet1(grid(INLINE.format("B2", "东岭基地"))),
        ("Sheet1!B2", "东岭基地"),
    ),
    ("xlsx-number", xlsx_fields, lambda: sheet1(grid('<c r="C3"><v>3.14</v></c>')), ("Sheet1!C3", "3.14")),
    ("xlsx-formula", xlsx_fields, lambda: sheet1(grid(FORMULA)), ("Sheet1!B3 formula", '"青松"&"计划"')),
    ("xlsx-formula-cached-value", xlsx_fields, lambda: sheet1(grid(FORMULA)), ("Sheet1!B3", "青松计划")),
    (
        "xlsx-hidden-sheet",
        xlsx_fields,
        lambda: xlsx([("公开", "visible", ""), ("秘密表", "hidden", grid(INLINE.format("A1", "青松计划")))]),
        ("秘密表!A1 (hidden sheet)", "青松计划"),
    ),
    (
        "xlsx-very-hidden-sheet",
        xlsx_fields,
        lambda: xlsx(
            [("公开", "visible", ""), ("深藏", "veryHidden", grid('<c r="D4"><f>SUM(A1:A3)</f></c>'))]
        ),
        ("深藏!D4 formula (hidden sheet)", "SUM(A1:A3)"),
    ),
    (
        "xlsx-hidden-sheet-name",
        xlsx_fields,
        lambda: xlsx([("公开", "visible", ""), ("秘密表", "hidden", "")]),
        ("sheet 2 name (hidden sheet)", "sheet name: 秘密表"),
    ),
    # `r` may be left out: rows and columns are counted
    (
        "xlsx-cells-without-references",
        xlsx_fields,
        lambda: sheet1(grid("<c><v>1</v></c>", '<c><v>2</v></c><c t="inlineStr"><is><t>乙</t></is></c>')),
        ("Sheet1!B2", "乙"),
    ),
    (
        "xlsx-cell-comment",
        xlsx_fields,
        lambda: sheet1(
            "<sheetData/>",
            xl__worksheets___rels__sheet1_xml_rels=rels(("comments", "../comments1.xml")),
            xl__comments1_xml=CELL_COMMENTS,
        ),
        ("Sheet1!B3 comment", "请核实数据"),
    ),
    (
        "xlsx-cell-comment-author",
        xlsx_fields,
        lambda: sheet1(
            "<sheetData/>",
            xl__worksheets___rels__sheet1_xml_rels=rels(("comments", "../comments1.xml")),
            xl__comments1_xml=CELL_COMMENTS,
        ),
        ("Sheet1!B3 comment author", "李四"),
    ),
    (
        "xlsx-threaded-comment",
        xlsx_fields,
        lambda: sheet1(
            "<sheetData/>",
            xl__worksheets___rels__sheet1_xml_rels=THREAD_RELS,
            xl__threadedComments__threadedComment1_xml=THREAD,
        ),
        ("Sheet1!C5 threaded comment", "讨论一下"),
    ),
    (
        "xlsx-defined-name",
        xlsx_fields,
        lambda: xlsx([("Sheet1", "visible", "")], defined=DEFINED),
        ("definedName 青松范围", "青松范围: Sheet1!$A$1:$B$2"),
    ),
    # text outside the grid is printed: screened too
    ("xlsx-print-header", xlsx_fields, lambda: sheet1(PRINT_HEADER), ("Sheet1 oddHeader", "&C内部资料")),
    (
        "xlsx-core-title",
        xlsx_fields,
        lambda: sheet1("", docProps__core_xml=CORE),
        ("docProps/core.xml title", "title: 青松计划汇报"),
    ),
    (
        "xlsx-custom-property",
        xlsx_fields,
        lambda: sheet1("", docProps__custom_xml=CUSTOM),
        ("docProps/custom.xml 项目代号", "项目代号: 青松计划"),
    ),
    (
        "xlsx-drawing-text-box-swept",
        xlsx_fields,
        lambda: sheet1("", xl__drawings__drawing1_xml=DRAWING),
        ("xl/drawings/drawing1.xml", "东岭基地"),
    ),
    # a pivot cache keeps a copy of its source data
    (
        "xlsx-pivot-cache-strings",
        xlsx_fields,
        lambda: sheet1("", xl__pivotCache__pivotCacheRecords1_xml=PIVOT),
        ("xl/pivotCache/pivotCacheRecords1.xml", "青松计划"),
    ),
    # --- .pptx ---
    (
        "pptx-slide-runs-join",
        pptx_fields,
        lambda: pptx([slide("<a:r><a:t>青松</a:t></a:r><a:r><a:t>计划</a:t></a:r>")]),
        ("slide 1", "青松计划"),
    ),
    (
        "pptx-slide-paragraphs-apart",
        pptx_fields,
        lambda: pptx([slide("标题", "第二段")]),
        ("slide 1", "第二段"),
    ),
    (
        "pptx-line-break-is-space",
        pptx_fields,
        lambda: pptx([slide("<a:r><a:t>甲</a:t></a:r><a:br/><a:r><a:t>乙</a:t></a:r>")]),
        ("slide 1", "甲 乙"),
    ),
    (
        "pptx-presentation-order",
        pptx_fields,
        lambda: pptx([slide("第一个文件"), slide("排在前面")], order=[2, 1]),
        ("slide 1", "排在前面"),
    ),
    (
        "pptx-hidden-slide",
        pptx_fields,
        lambda: pptx([slide("公开"), slide("隐藏页", show="0")]),
        ("slide 2 (hidden slide)", "隐藏页"),
    ),
    ("pptx-table-cell", pptx_fields, lambda: pptx([TABLE_SLIDE]), ("slide 1 table 1 row 1 cell 1", "表格")),
    (
        "pptx-speaker-notes",
        pptx_fields,
        lambda: one_slide(
            **{SLIDE_RELS: rels(("notesSlide", "../notesSlides/notesSlide1.xml"))},
            ppt__notesSlides__notesSlide1_xml=NOTES,
        ),
        ("slide 1 notes", "讲稿：青松计划"),
    ),
    (
        "pptx-legacy-comment",
        pptx_fields,
        lambda: one_slide(
            **{SLIDE_RELS: rels(("comments", "../comments/comment1.xml"))},
            ppt__comments__comment1_xml=LEGACY_COMMENT,
            ppt__commentAuthors_xml=LEGACY_AUTHORS,
        ),
        ("slide 1 comment 1", "删掉这页"),
    ),
    (
        "pptx-legacy-comment-author",
        pptx_fields,
        lambda: one_slide(
            **{SLIDE_RELS: rels(("comments", "../comments/comment1.xml"))},
            ppt__comments__comment1_xml=LEGACY_COMMENT,
            ppt__commentAuthors_xml=LEGACY_AUTHORS,
        ),
        ("slide 1 comment 1 author", "王五"),
    ),
    # a reply inside a modern comment is numbered after it, with its own author
    (
        "pptx-modern-comment-reply",
        pptx_fields,
        lambda: one_slide(
            **{SLIDE_RELS: MODERN_RELS},
            ppt__comments__modernComment_1_xml=MODERN_COMMENT,
            ppt__authors_xml=MODERN_AUTHORS,
        ),
        ("slide 1 comment 2 author", "赵六"),
    ),
    (
        "pptx-modern-comment-text",
        pptx_fields,
        lambda: one_slide(**{SLIDE_RELS: MODERN_RELS}, ppt__comments__modernComment_1_xml=MODERN_COMMENT),
        ("slide 1 comment 1", "请改"),
    ),
    (
        "pptx-master-text-swept",
        pptx_fields,
        lambda: one_slide(ppt__slideMasters__slideMaster1_xml=MASTER),
        ("ppt/slideMasters/slideMaster1.xml", "内部资料"),
    ),
    (
        "pptx-core-title",
        pptx_fields,
        lambda: one_slide(docProps__core_xml=CORE),
        ("docProps/core.xml title", "title: 青松计划汇报"),
    ),
    (
        "pptx-app-company",
        pptx_fields,
        lambda: one_slide(docProps__app_xml=APP),
        ("docProps/app.xml Company", "Company: 某某研究所"),
    ),
]


@pytest.mark.parametrize(
    ("reader", "make", "expected"),
    [(reader, make, expected) for _, reader, make, expected in EXTRACTED],
    ids=[name for name, *_ in EXTRACTED],
)
def test_text_is_extracted_with_its_location(
    reader: Reader, make: Callable[[], bytes], expected: tuple[str, str]
) -> None:
    found = pairs(reader, make())
    assert expected in found, found


def test_deleted_codename_is_its_own_field_and_not_in_the_visible_text() -> None:
    found = pairs(docx_fields, docx(DELETION))
    assert found == [("paragraph 1", "关于的通知"), ("paragraph 1 (tracked deletion)", "青松计划")]


def test_separator_footnotes_and_dates_give_no_fields() -> None:
    found = pairs(docx_fields, docx(p("x"), {"word/footnotes.xml": FOOTNOTES, "docProps/core.xml": CORE}))
    assert not [loc for loc, _ in found if "separator" in loc or "created" in loc], found


def test_text_box_text_stays_out_of_its_anchor_paragraph() -> None:
    assert pairs(docx_fields, docx(TEXT_BOX)) == [
        ("paragraph 1 text box", "文本框内容"),
        ("paragraph 1", "锚点"),
    ]


def test_xlsx_fields_in_order() -> None:
    data = xlsx(
        [
            (
                "表一",
                "visible",
                '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>7</v></c></row></sheetData>',
            )
        ],
        strings=("<t>标题</t>",),
        defined='<definedNames><definedName name="区">表一!$A$1</definedName></definedNames>',
    )
    assert pairs(xlsx_fields, data) == [
        ("definedName 区", "区: 表一!$A$1"),
        ("sheet 1 name", "sheet name: 表一"),
        ("表一!A1", "标题"),
        ("表一!B1", "7"),
    ]


def test_python_docx_output_reads_cleanly() -> None:
    """A document as a real writer saves it (styles, theme, settings, numbering): the expected
    fields and no noise from the parts that hold no text."""
    import docx as python_docx

    document = python_docx.Document()
    document.core_properties.title = "青松计划"
    document.add_paragraph("正文")
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "单元格"
    document.sections[0].header.paragraphs[0].text = "页眉"
    out = io.BytesIO()
    document.save(out)
    found = pairs(docx_fields, out.getvalue())
    assert ("paragraph 1", "正文") in found
    assert ("table 1 row 1 cell 2", "单元格") in found
    assert ("docProps/core.xml title", "title: 青松计划") in found
    assert any(location.endswith("paragraph 1") and text == "页眉" for location, text in found)
    assert all(
        isinstance(f.location, str) and isinstance(f.text, str) and f.text.strip()
        for f in docx_fields(out.getvalue())
    )


# --- end to end: the fields, laid out as attachments.extract does, screened by the engine -------


def test_tracked_deletion_codename_is_found_by_the_engine(engine: Engine) -> None:
    fields = list(docx_fields(docx(p("正文") + DELETION, {"docProps/custom.xml": CUSTOM})))
    text = "\n".join(f"{f.location}: {f.text}" for f in fields)
    document = Document(path="a.docx", text=text, layers=LayerBuilder(text, Scope.ATTACHMENT).build())
    found = [f for f in engine.screen(document, b"test-key") if f.rule == "codename.project"]
    lines = text.split("\n")
    assert sorted(lines[f.line - 1].partition(":")[0] for f in found) == [
        "docProps/custom.xml 项目代号",
        "paragraph 2 (tracked deletion)",
    ]
    assert {f.scope for f in found} == {Scope.ATTACHMENT}


# --- hostile packages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One zip member written by hand: its bytes as stored, and what the headers claim."""

    name: str
    payload: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def raw_zip(members: list[Member]) -> bytes:
    """A zip whose headers say exactly what the members claim, true or not."""
    out = bytearray()
    directory = bytearray()
    for m in members:
        name = m.name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            m.flags,
            m.method,
            0,
            0x21,
            m.crc,
            len(m.payload),
            m.size,
            len(name),
            0,
        )
        out += name + m.payload
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            m.flags,
            m.method,
            0,
            0x21,
            m.crc,
            len(m.payload),
            m.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += name
    start = len(out)
    out += directory
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0)
    return bytes(out)


def deflated(chunk: bytes, times: int) -> bytes:
    """`chunk` repeated `times`, deflated as a stream so it never sits in memory whole."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return b"".join(compressor.compress(chunk) for _ in range(times)) + compressor.flush()


def zeros_crc(mib: int) -> int:
    crc = 0
    block = bytes(1 << 20)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return crc


TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Override PartName="/word/document.xml" ContentType="{MAIN_TYPES["word/document.xml"]}"/></Types>'
)


def with_types(*members: Member) -> bytes:
    types = TYPES.encode()
    return raw_zip(
        [Member("[Content_Types].xml", types, len(types), zlib.crc32(types), zipfile.ZIP_STORED), *members]
    )


@cache
def bomb_300_mib() -> bytes:
    """One member of 300 MiB of zeros (about 300 KB compressed): above the total."""
    return with_types(Member("word/document.xml", deflated(bytes(1 << 20), 300), 300 << 20, zeros_crc(300)))


@cache
def bomb_ratio() -> bytes:
    """100 MiB of zeros in one member: under the total, but compressed 1000:1."""
    return with_types(Member("word/document.xml", deflated(bytes(1 << 20), 100), 100 << 20, zeros_crc(100)))


@cache
def lying_header() -> bytes:
    """50 MiB of XML-ish text whose headers claim 1,000 bytes (ratio within limits)."""
    return with_types(Member("word/document.xml", deflated(b"<a/>" * (1 << 18), 50), 1000, 0))


def many_entries(count: int) -> bytes:
    return raw_zip([Member(f"f{n}.xml", b"", 0, 0, zipfile.ZIP_STORED) for n in range(count)])


def ole(encrypted: bool) -> bytes:
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    return header + ("EncryptedPackage".encode("utf-16-le") if encrypted else b"WordDocument\x00" * 4)


def replace_member(data: bytes, name: str, text: bytes) -> bytes:
    """`data` with member `name` rewritten (the rest copied)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, text if info.filename == name else source.read(info))
    return out.getvalue()


def xml_bomb() -> bytes:
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    return replace_member(
        docx(p("x")),
        "word/document.xml",
        f"{laughs}<w:document {W}><w:body>&lol2;</w:body></w:document>".encode(),
    )


def bad_crc() -> bytes:
    data = bytearray(docx(p("x"), compression=zipfile.ZIP_STORED))
    at = data.index(b"<w:t>x</w:t>")
    data[at + 5] = ord("y")  # stored bytes changed, checksum not
    return bytes(data)


def unsupported_method() -> bytes:
    payload = b"<x/>"
    return with_types(Member("word/document.xml", payload, len(payload), zlib.crc32(payload), method=12))


def encrypted_member() -> bytes:
    payload = b"<x/>"
    return with_types(
        Member("word/document.xml", payload, len(payload), zlib.crc32(payload), zipfile.ZIP_STORED, flags=1)
    )


def duplicate_part() -> bytes:
    good = docx(p("x"))
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = [
            Member(i.filename, archive.read(i), i.file_size, i.CRC, zipfile.ZIP_STORED)
            for i in archive.infolist()
        ]
    return raw_zip(
        [*members, Member("WORD/document.xml", b"<a/>", 4, zlib.crc32(b"<a/>"), zipfile.ZIP_STORED)]
    )


def no_content_types() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {W}/>")
    return out.getvalue()


def deep() -> bytes:
    return replace_member(docx(p("x")), "word/document.xml", ("<a>" * 600 + "</a>" * 600).encode())


# (id, reader, file maker, words the reason must contain)
REFUSED: list[tuple[str, Reader, Callable[[], bytes], tuple[str, ...]]] = [
    (
        "ole-encrypted",
        docx_fields,
        lambda: ole(encrypted=True),
        ("encrypted", "password-protected", "unencrypted .docx"),
    ),
    (
        "ole-legacy-binary",
        xlsx_fields,
        lambda: ole(encrypted=False),
        (".doc/.xls/.ppt", "encrypted", "unencrypted .xlsx", "PDF"),
    ),
    ("empty", docx_fields, lambda: b"", ("cannot read this .docx file (the zip directory", "re-export")),
    (
        "garbage",
        pptx_fields,
        lambda: bytes(random.Random(1).randrange(256) for _ in range(3000)),
        ("cannot read",),
    ),
    ("zip-signature-then-garbage", docx_fields, lambda: b"PK\x03\x04 garbage", ("cannot read",)),
    ("no-content-types", docx_fields, no_content_types, ("[Content_Types].xml",)),
    (
        "docx-without-document",
        docx_fields,
        lambda: package({"word/styles.xml": "<x/>"}, "ppt/presentation.xml"),
        ("word/document.xml",),
    ),
    ("xlsx-given-as-docx", docx_fields, lambda: xlsx([("S", "visible", "")]), ("word/document.xml",)),
    ("pptx-given-as-xlsx", xlsx_fields, lambda: pptx([slide("x")]), ("xl/workbook.xml",)),
    ("xml-entities", docx_fields, xml_bomb, ("DTD",)),
    ("deep-nesting", docx_fields, deep, ("nests XML more than 512 deep",)),
    (
        "bad-xml",
        docx_fields,
        lambda: replace_member(docx(p("x")), "word/document.xml", b"<w:document><oops"),
        ("cannot read this .docx file (word/document.xml: ParseError",),
    ),
    ("bad-checksum", docx_fields, bad_crc, ("checksum",)),
    ("unsupported-compression", docx_fields, unsupported_method, ("compression method 12",)),
    ("encrypted-member", docx_fields, encrypted_member, ("encrypted",)),
    ("duplicate-part-names", docx_fields, duplicate_part, ("two parts",)),
    (
        "missing-shared-string",
        xlsx_fields,
        lambda: xlsx(
            [("S", "visible", '<sheetData><row r="1"><c r="A1" t="s"><v>5</v></c></row></sheetData>')]
        ),
        ("S!A1", "shared string 5"),
    ),
    (
        "sheet-without-part",
        xlsx_fields,
        lambda: replace_member(xlsx([("S", "visible", "")]), "xl/_rels/workbook.xml.rels", rels().encode()),
        ("points to no part",),
    ),
    (
        "slide-without-part",
        pptx_fields,
        lambda: replace_member(pptx([slide("x")]), "ppt/_rels/presentation.xml.rels", rels().encode()),
        ("slide 1 points to no part",),
    ),
    ("20000-entries", docx_fields, lambda: many_entries(20_000), ("20000 members",)),
    ("bomb-300-mib", docx_fields, bomb_300_mib, ("300 MiB", "zip bomb")),
    ("bomb-ratio", docx_fields, bomb_ratio, ("compresses", "above the 200:1 limit", "zip bomb")),
    ("lying-header", docx_fields, lying_header, ("more than the 1000 bytes", "lie")),
]


@pytest.mark.parametrize(
    ("reader", "make", "words"),
    [(reader, make, words) for _, reader, make, words in REFUSED],
    ids=[name for name, *_ in REFUSED],
)
def test_hostile_package_is_refused(
    reader: Reader, make: Callable[[], bytes], words: tuple[str, ...]
) -> None:
    data = make()
    started = time.perf_counter()
    with pytest.raises(InputError) as raised:
        list(reader(data))
    elapsed = time.perf_counter() - started
    assert raised.value.path == ""
    for word in words:
        assert word in raised.value.reason
    assert elapsed < 2.0, f"took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("name", "make"),
    [("bomb-300-mib", bomb_300_mib), ("bomb-ratio", bomb_ratio), ("lying-header", lying_header)],
)
def test_bombs_are_refused_before_inflating_much(name: str, make: Callable[[], bytes]) -> None:
    data = make()
    assert len(data) < 2 << 20  # the fixture itself stays small
    started = time.perf_counter()
    with pytest.raises(InputError):
        list(docx_fields(data))
    assert time.perf_counter() - started < 0.5, name


def test_too_many_fields_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ooxml, "MAX_FIELDS", 3)
    with pytest.raises(InputError, match="more than 3 pieces of text"):
        list(docx_fields(docx(p("1") + p("2") + p("3") + p("4"))))


def test_too_many_elements_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ooxml.package, "MAX_ELEMENTS", 50)
    with pytest.raises(InputError, match="more than 50 XML elements"):
        list(docx_fields(docx(p("x") * 20)))


def test_long_part_streams_with_flat_memory() -> None:
    """100,000 paragraphs: all read, in order (finished elements are dropped in batches)."""
    data = docx("".join(p(str(n)) for n in range(100_000)))
    found = list(docx_fields(data))
    assert len(found) == 100_000
    assert found[-1] == Field(location="paragraph 100000", text="99999")


def test_a_part_listed_many_times_is_read_once() -> None:
    """20,000 sheets naming one part: one read of it (a long list cannot multiply the work)."""
    listed = '<sheet name="S" sheetId="1" r:id="rId1"/>' * 20_000
    book = f"<workbook {S} {R}><sheets>{listed}</sheets></workbook>"
    data = replace_member(sheet1(grid(INLINE.format("A1", "青松计划"))), "xl/workbook.xml", book.encode())
    started = time.perf_counter()
    found = pairs(xlsx_fields, data)
    assert time.perf_counter() - started < 3.0
    assert found.count(("S!A1", "青松计划")) == 1
    assert found.count(("sheet 20000 name", "sheet name: S")) == 1


def test_a_slide_listed_twice_is_read_once() -> None:
    found = pairs(pptx_fields, pptx([slide("一次")], order=[1, 1]))
    assert found == [("slide 1", "一次")]


SAMPLES = [
    docx(
        p("关于", "青松计划") + DELETION + tbl((p("a"), p("b"))),
        {"word/comments.xml": COMMENTS},
        compression=zipfile.ZIP_STORED,
    ),
    docx(p("关于", "青松计划") + TEXT_BOX, {"docProps/core.xml": CORE}),
    xlsx(
        [
            ("S", "visible", grid('<c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1</f><v>1</v></c>')),
            ("H", "hidden", ""),
        ],
        strings=("<t>青松计划</t>",),
        compression=zipfile.ZIP_STORED,
    ),
    xlsx(
        [
            (
                "S",
                "visible",
                '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            )
        ]
    ),
]
READERS: list[Reader] = [docx_fields, docx_fields, xlsx_fields, xlsx_fields]


@pytest.mark.parametrize("cut", [1, 10, 100, 0.25, 0.5, 0.75, -22, -1])
@pytest.mark.parametrize("sample", range(len(SAMPLES)))
def test_truncated_package_is_refused(sample: int, cut: float) -> None:
    data = SAMPLES[sample]
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    with pytest.raises(InputError):
        list(READERS[sample](data[:end]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.integers(0, len(SAMPLES) - 1),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.none() | st.integers(min_value=1),
)
def test_mutated_package_gives_fields_or_input_error(
    sample: int, changes: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(SAMPLES[sample])
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    try:
        fields = list(READERS[sample](bytes(data)))
    except InputError as error:
        assert error.path == ""
        assert isinstance(error.reason, str) and error.reason
        assert not any(bug in error.reason for bug in ("IndexError", "KeyError", "TypeError")), error.reason
        return
    for found in fields:
        assert isinstance(found, Field)
        assert isinstance(found.location, str)
        assert isinstance(found.text, str)


XML_TOKENS = ["", "<", ">", "/", '"', "=", "&", "x", "青", "<w:p>", "</w:p>", "<w:tc>", "</w:tbl>", "<w:del>"]
XML_TOKENS += ["<c>", "</c>", '<c t="s">', "<v>", "-1</v>", "<row>", '<row r="x">', "<a:p>", "<a:br/>"]
DOCUMENT = (
    f"<w:document {W}><w:body>{p('关于', '青松计划')}{DELETION}{tbl((p('a'), TEXT_BOX))}"
    f"{INSERTION}</w:body></w:document>"
)
SHARED_CELL = '<c r="A2" t="s"><v>0</v></c>'
SHEET = f"<worksheet {S}>{grid(FORMULA, SHARED_CELL + INLINE.format('B2', 'x'))}</worksheet>"
XML_SAMPLES: list[tuple[Reader, Callable[[str], bytes], str]] = [
    (docx_fields, lambda xml: package({"word/document.xml": xml}, "word/document.xml"), DOCUMENT),
    (docx_fields, lambda xml: one_paragraph(word__comments_xml=xml), COMMENTS),
    (docx_fields, lambda xml: one_paragraph(docProps__custom_xml=xml), CUSTOM),
    (xlsx_fields, lambda xml: sheet1("", xl__worksheets__sheet1_xml=xml), SHEET),
    (
        xlsx_fields,
        lambda xml: sheet1("", xl__comments1_xml=xml, xl__worksheets___rels__sheet1_xml_rels=COMMENT_RELS),
        CELL_COMMENTS,
    ),
    (pptx_fields, lambda xml: pptx([xml]), slide("<a:r><a:t>甲</a:t></a:r><a:br/>", "乙")),
    (
        pptx_fields,
        lambda xml: one_slide(**{SLIDE_RELS: MODERN_RELS}, ppt__comments__modernComment_1_xml=xml),
        MODERN_COMMENT,
    ),
]


# Whole elements, inserted where a tag starts, keep the XML well formed and reach the readers.
ELEMENTS = [
    "<w:p/>",
    "<w:tc/>",
    "<w:tr/>",
    "<w:t>t</w:t>",
    "<w:tab/>",
    "<w:delText>d</w:delText>",
    "<w:del><w:r><w:t>x</w:t></w:r></w:del>",
    f"<w:tbl><w:tr><w:tc>{p('c')}</w:tc></w:tr></w:tbl>",
    f"<w:txbxContent>{p('b')}</w:txbxContent>",
    '<w:footnote w:type="odd"><w:t>f</w:t></w:footnote>',
    "<w:comment/>",
    '<c r="Z9" t="s"><v>7</v></c>',
    '<c t="s"><v>-1</v></c>',
    '<c r="A1" t="inlineStr"><is><rPh><t>ふ</t></rPh><t>i</t></is></c>',
    '<row r="5"/>',
    "<row/>",
    "<f>SUM(1)</f>",
    "<sheetData/>",
    "<a:p><a:r><a:t>q</a:t></a:r></a:p>",
    "<a:br/>",
    '<p188:cm xmlns:p188="urn:x" authorId="{B}"/>',
    "<reply/>",
    "<p/>",
    "<t>T</t>",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.integers(0, len(XML_SAMPLES) - 1),
    edits=st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(XML_TOKENS + ELEMENTS), st.booleans()), max_size=6
    ),
)
def test_mutated_xml_gives_fields_or_input_error(sample: int, edits: list[tuple[int, str, bool]]) -> None:
    """Well-zipped packages whose XML is broken or oddly nested: the readers never crash."""
    reader, build, xml = XML_SAMPLES[sample]
    for position, token, insert in edits:
        if token in ELEMENTS:  # at a tag boundary, so the document stays well formed
            starts = [i for i, char in enumerate(xml) if char == "<"][1:] or [len(xml)]
            at = starts[position % len(starts)]
            xml = xml[:at] + token + xml[at:]
        else:
            at = position % (len(xml) + 1)
            xml = xml[:at] + token + xml[at if insert else at + 1 :]
    try:
        fields = list(reader(build(xml)))
    except InputError as error:
        assert not any(bug in error.reason for bug in ("IndexError", "KeyError", "TypeError")), error.reason
        return
    assert all(isinstance(f.location, str) and isinstance(f.text, str) for f in fields)


# --- properties: nothing read is lost, locations stay right --------------------------------------

CODENAME = "青松计划"  # fictional
# CJK and printable ASCII, less what XML text cannot hold as is (`<`, `&`, `]]>`).
TEXT = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
    | st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="<&]"),
    max_size=20,
)
CELL = st.tuples(TEXT, st.booleans(), st.booleans())  # text, a shared string?, its `r` written?
# Up to 600 paragraphs or rows, past the 256 finished siblings the reader cuts from their parent
# at once (a plain `st.lists` rarely grows beyond a few dozen).
TEXTS = st.integers(0, 600).flatmap(lambda n: st.lists(TEXT, min_size=n, max_size=n))
CELLS = st.integers(0, 600).flatmap(lambda n: st.lists(CELL, min_size=n, max_size=n))


@settings(max_examples=100, deadline=None)
@given(texts=TEXTS, at=st.integers(min_value=0))
def test_docx_codename_paragraph_keeps_its_number(texts: list[str], at: int) -> None:
    n = at % (len(texts) + 1)
    texts = [*texts[:n], CODENAME, *texts[n:]]
    found = pairs(docx_fields, docx("".join(p(text) for text in texts)))
    assert (f"paragraph {n + 1}", CODENAME) in found
    assert found == [(f"paragraph {i}", text) for i, text in enumerate(texts, 1) if text.strip()]


def column_a(row: int, text: str, shared: bool, written: bool) -> str:
    """Cell A`row`: shared string `row - 1` or inline `text`; its `r` written or left to count."""
    reference = f' r="A{row}"' if written else ""
    if shared:
        return f'<c{reference} t="s"><v>{row - 1}</v></c>'
    return f'<c{reference} t="inlineStr"><is><t>{text}</t></is></c>'


@settings(max_examples=100, deadline=None)
@given(
    cells=CELLS,
    at=st.integers(min_value=0),
    shared=st.booleans(),
)
def test_xlsx_codename_cell_keeps_its_row(cells: list[tuple[str, bool, bool]], at: int, shared: bool) -> None:
    r = at % (len(cells) + 1) + 1
    cells = [*cells[: r - 1], (CODENAME, shared, True), *cells[r - 1 :]]
    strings = tuple(f"<t>{text}</t>" for text, _, _ in cells)
    rows = [column_a(row, *cell) for row, cell in enumerate(cells, 1)]
    found = pairs(xlsx_fields, xlsx([("Sheet1", "visible", grid(*rows))], strings=strings))
    assert (f"Sheet1!A{r}", CODENAME) in found
    expected = [(f"Sheet1!A{row}", text.strip()) for row, (text, _, _) in enumerate(cells, 1) if text.strip()]
    assert found == [("sheet 1 name", "sheet name: Sheet1"), *expected]
