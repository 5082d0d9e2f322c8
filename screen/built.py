"""The audit of a built site, before it replaces the published one: every file and folder name is
screened, and every file must have an origin: the rendered page of a cleared source, a cleared
file copied as it is, a file of the theme as installed, or MkDocs' own output (sitemap, search
index, 404 page), whose text is screened. Anything else stops the publish."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from screen import api
from screen.i18n import _, ngettext
from screen.model import AuditedPage, Finding, Level

# What MkDocs and its search plugin write themselves: screened, as no source made them.
_GENERATED = frozenset({"sitemap.xml", "sitemap.xml.gz", "search/search_index.json", "404.html"})
_MAX_INFLATED = 64 << 20  # a sitemap that inflates beyond this is refused, not read


@dataclass(frozen=True, slots=True, kw_only=True)
class Origins:
    docs: Path  # the docs directory: cleared files are copied from it as they are
    theme_dirs: tuple[Path, ...]  # custom_dir (cleared as configuration) and the installed theme
    cleared: frozenset[str]  # docs-relative paths of the cleared sources
    site_url: str | None = None  # the site's own origin: resources load from it alone
    # docs-relative path → the bytes built for it when they are not the working file's (the last
    # cleared version of a file whose new version waits)
    contents: dict[str, bytes] = field(default_factory=dict)
    # site-relative path of a built page → its rendered content, screened by the plugin as it
    # rendered it (the audit screens the rest of the page: the theme around it)
    screened: dict[str, bytes] = field(default_factory=dict)


def _blocking(findings: tuple[Finding, ...], where: str) -> list[str]:
    return [f"{where}: {f.rule} ({f.excerpt})" for f in findings if f.level is Level.BLOCK]


def _same(path: Path, other: Path) -> bool:
    return other.is_file() and not other.is_symlink() and other.read_bytes() == path.read_bytes()


def _page_stem(rel: str) -> str | None:
    """The source stem a rendered page stands for (`news/a/index.html` → `news/a`)."""
    if not rel.endswith(".html"):
        return None
    stem = rel.removesuffix("/index.html").removesuffix(".html")
    return "index" if stem in ("index", "") else stem


def _origin(path: Path, rel: str, origins: Origins, stems: frozenset[str]) -> str:
    """page | copied | theme | generated | unknown."""
    stem = _page_stem(rel)
    if stem is not None and (stem in stems or f"{stem}/index" in stems):
        return "page"
    if rel in origins.contents and path.read_bytes() == origins.contents[rel]:
        return "copied"
    if rel in origins.cleared and rel not in origins.contents and _same(path, origins.docs / rel):
        return "copied"
    if any(_same(path, theme / rel) for theme in origins.theme_dirs):
        return "theme"
    return "generated" if rel in _GENERATED else "unknown"


def _text(path: Path) -> bytes:
    """What to screen of a page or a generated file: a gzip file inflated (bounded), JSON (the
    search index) as its strings, or as text when it does not parse."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        with gzip.open(path) as inflated:
            data = inflated.read(_MAX_INFLATED + 1)
        if len(data) > _MAX_INFLATED:
            raise ValueError(
                _("{file} inflates beyond {size} MB").format(file=path.name, size=_MAX_INFLATED >> 20)
            )
    if path.suffix == ".json":
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            return data
        return "\n\n".join(_strings(document)).encode("utf-8")
    return data


def _strings(document: object) -> list[str]:
    """Every string in a JSON document, keys included, in document order (no recursion: the
    depth is the file's to choose)."""
    found: list[str] = []
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            pending.extend(reversed([item for pair in value.items() for item in pair]))
        elif isinstance(value, list):
            pending.extend(reversed(value))
    return found


# Blocks Material repeats on every page: each is screened once per build, by its bytes.
_REPEATED = "header, footer, nav li, nav > ul, .md-sidebar, .md-tabs"


def without_repeats(data: bytes, seen: set[bytes]) -> bytes:
    """A built page without the blocks an earlier page of the build already had byte for byte
    (the navigation of a 2,000-page site is screened once, not 2,000 times). What is kept is
    the page as parsed and serialized again: the same text, attributes and comments."""
    return _without_repeats(data, seen)[0]


def _without_repeats(data: bytes, seen: set[bytes]) -> tuple[bytes, set[bytes], set[bytes]]:
    """`without_repeats`, and the digests of the blocks kept (now in `seen`) and dropped."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data.decode("utf-8", errors="replace"))
    repeated = []
    dropped: set[int] = set()
    kept_digests: set[bytes] = set()
    dropped_digests: set[bytes] = set()
    for node in tree.css(_REPEATED):
        parent, inside = node.parent, False
        while parent is not None and not inside:
            inside, parent = parent.mem_id in dropped, parent.parent
        if inside:
            continue
        digest = hashlib.blake2b((node.html or "").encode("utf-8"), digest_size=16).digest()
        if digest in seen:
            repeated.append(node)
            dropped.add(node.mem_id)
            dropped_digests.add(digest)
        else:
            seen.add(digest)
            kept_digests.add(digest)
    if not repeated:
        return data, kept_digests, dropped_digests
    for node in repeated:
        node.decompose()
    return (tree.html or "").encode("utf-8"), kept_digests, dropped_digests


def without_rendered(data: bytes, rendered: bytes | None) -> bytes:
    """A built page without the rendered content the plugin screened when MkDocs rendered it
    (the same bytes, screened with the same rules), in its place an empty block, so no text on
    either side joins. Content another plugin changed afterwards is not found, and the whole page
    is screened."""
    if not rendered or rendered not in data:
        return data
    return data.replace(rendered, b"<div></div>", 1)


def _screened_as(rel: str) -> str:
    """The name a built file is read as: markup as HTML, anything else as text."""
    suffix = PurePosixPath(rel.removesuffix(".gz")).suffix
    return f"site/{rel}" + (".html" if suffix in (".html", ".htm", ".xml", ".svg") else ".txt")


# Built files a browser reads for resources to fetch, by suffix.
_LOADING = {".html": "html", ".htm": "html", ".xhtml": "html", ".svg": "svg", ".css": "css"}


def _outside(gate: api.SiteGate, path: Path, origins: Origins) -> list[str]:
    """Each resource a built page, style sheet or image loads from another host: whatever its
    origin (a cleared file, the theme, a rendered page), a visitor's browser would fetch it."""
    kind = _LOADING.get(path.suffix.lower())
    return api.loaded_resources(gate, kind, path.read_bytes(), origins.site_url) if kind else []


_FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com")


def _outside_problems(loads: dict[str, list[str]]) -> list[str]:
    """One line per resource and host, with the files that load it (a theme's web font is on
    every page: said once)."""
    problems = []
    for found, files in loads.items():
        others = len(files) - 1
        where = (
            files[0]
            if not others
            else ngettext("{file} and {count} other file", "{file} and {count} other files", others).format(
                file=files[0], count=others
            )
        )
        fix = (
            _("set `font: false` under `theme:` in mkdocs.yml (the system's fonts draw the page)")
            if found.endswith(_FONT_HOSTS)
            else _("put the file in the site (content/) or remove it")
        )
        problems.append(
            _(
                "{where}: loads {resource}: a government site sends its visitors' requests to no "
                "third party; {fix}"
            ).format(where=where, resource=found, fix=fix)
        )
    return problems


def _load_page(path: Path, rendered: bytes | None) -> bytes:
    """A built page's bytes without the rendered content the plugin screened (`without_rendered`)."""
    return without_rendered(_text(path), rendered)


def _pages_findings(
    gate: api.SiteGate, pages: list[tuple[str, Path, bytes | None]]
) -> list[tuple[Finding, ...]]:
    """Findings of each built page (name, file, its rendered content) without its repeated
    blocks: as an earlier audit of the same bytes found them, or screened now on all cores. A
    page that left a block no page of this build screened (the page that had it changed) is
    screened whole."""
    seen: set[bytes] = set()
    dropped: set[bytes] = set()
    found: list[tuple[Finding, ...] | None] = []
    for name, path, rendered in pages:
        remembered = api.audited_page(gate, name, _load_page(path, rendered))
        if remembered is not None:
            seen |= AuditedPage.unpack(remembered.kept)
            dropped |= AuditedPage.unpack(remembered.dropped)
        found.append(None if remembered is None else remembered.findings)
    fresh = [index for index, findings in enumerate(found) if findings is None]
    for index, audited in zip(
        fresh, api.audit_pages(gate, [pages[i] for i in fresh], _load_page, _without_repeats), strict=True
    ):
        seen |= AuditedPage.unpack(audited.kept)
        dropped |= AuditedPage.unpack(audited.dropped)
        found[index] = audited.findings
    missing = dropped - seen
    for index, (name, path, rendered) in enumerate(pages if missing else []):
        data = _load_page(path, rendered)
        remembered = api.audited_page(gate, name, data)
        if remembered is None or missing & AuditedPage.unpack(remembered.dropped):
            found[index] = api.screen_built(gate, name, data)
    return [findings or () for findings in found]


def _file_problems(
    gate: api.SiteGate,
    path: Path,
    rel: str,
    origins: Origins,
    stems: frozenset[str],
    pages: list[tuple[str, Path, bytes | None]],
) -> list[str]:
    """Problems of one built file; an HTML page is added to `pages`, screened together after."""
    origin = _origin(path, rel, origins, stems)
    if origin in ("copied", "theme"):
        return []  # the bytes of a cleared file, or of the theme as installed
    if origin == "unknown":
        return [
            _("site/{file}: no cleared source, theme file or MkDocs output made this file").format(file=rel)
        ]
    try:
        data = _text(path)
    except (OSError, ValueError, EOFError) as error:
        return [_("site/{file}: cannot be read to be screened ({error})").format(file=rel, error=error)]
    if rel.endswith(".html"):
        pages.append((_screened_as(rel), path, origins.screened.get(rel)))
        return []
    return _blocking(api.screen_built(gate, _screened_as(rel), data), f"site/{rel}")


def audit(site: Path, gate: api.SiteGate, origins: Origins) -> list[str]:
    """Problems in a built site: a blocking finding in any name or text, or a file of unknown
    origin."""
    stems = frozenset(str(PurePosixPath(p).with_suffix("")) for p in origins.cleared)
    problems = []
    pages: list[tuple[str, Path, bytes | None]] = []
    loads: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        problems += _blocking(api.screen_built_name(gate, rel), f"site/{rel}")
        if path.is_symlink():
            problems.append(_("site/{file}: a symlink in the built site").format(file=rel))
        elif path.is_file():
            for found in _outside(gate, path, origins):
                loads.setdefault(found, []).append(f"site/{rel}")
            problems += _file_problems(gate, path, rel, origins, stems, pages)
    for (name, _path, _rendered), findings in zip(pages, _pages_findings(gate, pages), strict=True):
        problems += _blocking(findings, name.removesuffix(".html"))
    return _outside_problems(loads) + problems
