"""`baomi import FILE.docx [--to content/…/name.md]`: a Word draft becomes a page (导入 Word 稿件).

Before anything is converted, the .docx is read with Baomi's own Office reader: a draft with
tracked changes or comments is refused, since what the page would not show stays in the file the
drafter keeps. Pandoc (pypandoc-binary: one maintained converter, shipped as a wheel, no system
install) writes Markdown that Python-Markdown renders: headings, lists, pipe tables, bold and
italic, footnotes; the images go into a folder next to the page. The title becomes `title:` in
the front matter. The new page is then screened like any other."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from screen.errors import EXIT_BLOCKED, InputError, ScreenError, UsageError
from screen.i18n import N_, _
from screen.source.ooxml import docx_fields, docx_revisions

# What Python-Markdown (MkDocs) renders: no raw HTML spans, pipe tables, footnotes
_FORMAT = "markdown_strict+pipe_tables+footnotes-raw_html"
_OLD = {  # the names of the old formats, as Word and WPS call them
    ".doc": N_("Word 97–2003"),
    ".wps": N_("WPS Writer"),
    ".et": N_("WPS Spreadsheets"),
    ".dot": N_("Word 97–2003 template"),
    ".rtf": N_("RTF"),
}
MAX_BYTES = 50 * 1024 * 1024
_EXISTS = N_("{path} exists; choose another name with --to (nothing was overwritten)")


class Unclean(ScreenError):
    """A draft that still holds tracked changes or comments (exit 1): nothing is written."""

    exit_code = EXIT_BLOCKED


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    page: Path  # the Markdown page written
    title: str
    media: tuple[Path, ...]  # images written next to it


def default_target(source: Path, docs: Path) -> Path:
    """Where a draft goes without --to: the docs folder, under its own name."""
    return docs / f"{source.stem}.md"


def import_docx(source: Path, target: Path) -> Imported:
    """Convert `source` into the page `target` (and its images); refuses what it must."""
    data = _read(source)
    unclean = docx_revisions(data)
    if unclean:
        listed = "\n  ".join(unclean)
        raise Unclean(
            _(
                "{file} still holds tracked changes or comments:\n  {listed}\n"
                "accept or reject all changes and delete the comments in Word or WPS "
                "(Review → Accept All Changes, Delete All Comments), save, and import again"
            ).format(file=source.name, listed=listed)
        )
    if target.exists() or target.is_symlink():
        raise UsageError(_(_EXISTS).format(path=target))
    if target.suffix.lower() != ".md":
        raise UsageError(_("--to {path}: a page is a .md file").format(path=target))
    media_dir = target.with_name(f"{target.stem}.assets")
    if media_dir.exists():
        raise UsageError(_(_EXISTS).format(path=media_dir))
    title = _title(data, source)
    body, media = _convert(source, target.parent, media_dir.name)
    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"---\n{front}---\n\n{body.strip()}\n", encoding="utf-8")
    return Imported(page=target, title=title, media=media)


def _read(source: Path) -> bytes:
    suffix = source.suffix.lower()
    if suffix in _OLD:
        raise UsageError(
            _(
                "{file} is a {kind} file; open it in Word or WPS and save it as a Word "
                "document (.docx) — File → Save As → Word Document (*.docx) — then import that"
            ).format(file=source.name, kind=_(_OLD[suffix]))
        )
    if suffix != ".docx":
        raise UsageError(_("{file}: baomi import reads Word documents (.docx)").format(file=source.name))
    try:
        if source.stat().st_size > MAX_BYTES:
            raise InputError(
                str(source),
                _("larger than {size} MB; split the document").format(size=MAX_BYTES // 1024 // 1024),
            )
        return source.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            _("cannot read {path}: {reason}").format(path=source, reason=_("no such file"))
        ) from None
    except OSError as error:
        raise UsageError(
            _("cannot read {path}: {reason}").format(path=source, reason=error.strerror)
        ) from None


def _title(data: bytes, source: Path) -> str:
    """The document's title property, else its first paragraph, else its file name."""
    first = ""
    for field in docx_fields(data):
        if field.location == "docProps/core.xml title":
            return field.text.removeprefix("title: ").strip() or source.stem
        if not first and field.location.startswith("paragraph") and field.text.strip():
            first = " ".join(field.text.split())
    return first or source.stem


def _convert(source: Path, folder: Path, media: str) -> tuple[str, tuple[Path, ...]]:
    """Pandoc's Markdown of `source`, images extracted to `folder/media` (relative links)."""
    import pypandoc  # type: ignore[import-untyped]  # no stubs; loaded only for an import

    with tempfile.TemporaryDirectory(prefix="baomi-import-") as scratch:
        work = Path(scratch)
        shutil.copyfile(source, work / "draft.docx")
        try:
            text = pypandoc.convert_file(
                str(work / "draft.docx"),
                _FORMAT,
                extra_args=["--wrap=none", f"--extract-media={media}", "--track-changes=accept"],
                cworkdir=str(work),
            )
        except (RuntimeError, OSError) as error:
            raise InputError(
                str(source), _("pandoc cannot convert it ({error}); re-save it as .docx").format(error=error)
            ) from None
        extracted = work / media
        written: list[Path] = []
        if extracted.is_dir():
            destination = folder / media
            for file in sorted(p for p in extracted.rglob("*") if p.is_file()):
                relative = file.relative_to(work)
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, folder / relative)
                written.append(folder / relative)
            assert destination.is_dir()
    return str(text), tuple(written)
