"""The `baomi` MkDocs plugin: a thin door over `screen.api` that makes the build itself
enforce the invariant (nothing classified is published, everything published is cleared).

- `on_startup` refuses `--dirty` builds (they would reuse pages built before a check).
- `on_files`, first of all plugins, asks the gate about every source: a file that is not cleared
  fails the build, or with `uncleared: hold_back` (what `baomi publish` uses) is removed before
  nav, blog or tags see it. `mkdocs.yml` and the trust files must be cleared, and no symlink in
  the docs directory may point outside it.
- `on_nav` prunes entries of held-back pages, so an explicit `nav:` cannot leak their titles.
- `on_files`, last of all plugins, re-checks that no other plugin added an uncleared file;
  `on_page_content` screens every rendered page (text pulled in by snippets or other extensions
  included) and adds the review line to its footer; `on_post_build` checks that no held-back
  page reached the site.
A blocking verdict raises `PluginError`, whatever `strict` says."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Link, Navigation, Section

from screen import api
from screen.errors import ScreenError
from screen.i18n import CHINESE, _, listed, site_language, speaking
from screen.model import Level
from screen.report.marks import mark_pending
from screen.settings import load_settings

if TYPE_CHECKING:
    from screen.api import FileStatus, SiteGate

HOLD_BACK_ENV = "BAOMI_HOLD_BACK"  # set by `baomi publish`: hold uncleared pages back, list them
PREVIEW_ENV = "BAOMI_PREVIEW"  # set by `baomi serve`: show pending pages, marked; never a build


class BaomiConfig(Config):  # type: ignore[no-untyped-call]
    rules = config_options.Type(str, default="rules")
    trust_ref = config_options.Type(str, default="HEAD")
    uncleared = config_options.Choice(("fail", "hold_back"), default="fail")


class BaomiPlugin(BasePlugin[BaomiConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        super().__init__()
        self.held_back: dict[str, tuple[str, ...]] = {}  # docs-relative path → reasons
        self.cleared: dict[str, str] = {}  # docs-relative path → review line for its footer
        # docs-relative path → its last cleared version, built while its new version waits
        self.pending: dict[str, api.LivePage] = {}
        self.gate: SiteGate | None = None  # what the build may publish, once `on_files` asked
        # `baomi publish` computes the gate before MkDocs loads the configuration, and hands it in
        self.preset: SiteGate | None = None
        # and the configuration files it built from their last cleared version (root-relative)
        self.kept_configuration: dict[str, api.LivePage] = {}
        self.spoken = CHINESE  # the site's language (theme.language), for the footers
        # site-relative path of a built page → the rendered content screened in on_page_content
        self.screened: dict[str, str] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Material's search segments Chinese with jieba, which logs its dictionary loading on
        # stderr at every build; its warnings still show
        logging.getLogger("jieba").setLevel(logging.WARNING)
        if self._preview() and command != "serve":
            raise PluginError(
                _("baomi: {variable}=1 is for `baomi serve` only; a preview is never a build").format(
                    variable=PREVIEW_ENV
                )
            )
        if dirty:
            raise PluginError(_("baomi: --dirty builds are refused: every page is checked on every build"))

    @staticmethod
    def _preview() -> bool:
        return os.environ.get(PREVIEW_ENV) == "1"

    def _hold_back(self) -> bool:
        return os.environ.get(HOLD_BACK_ENV) == "1" or self.config.uncleared == "hold_back"

    def _gate(self, config: Any) -> SiteGate:
        root = Path(config.config_file_path).parent
        try:
            settings = load_settings(root, rules=self.config.rules, jobs=1, trust_ref=self.config.trust_ref)
            return api.gate_site(settings)
        except ScreenError as error:
            raise PluginError(f"baomi: {error}") from None

    def _footer(self, state: FileStatus, shown: str = "") -> str:
        with speaking(self.spoken):  # the site's language, whoever builds it
            return _review_line(state, shown)

    def _sort(self, gate: SiteGate, prefix: str) -> list[str]:
        """Sort the gate's files into cleared, pending (kept in their last cleared version) and
        held back; return why the build must stop (configuration that is none of these)."""
        fatal = []
        waiting = [] if self._preview() else [s.path for s in gate.files if not s.publishable]
        live, down = api.kept_versions(gate, [p for p in waiting if p.startswith(prefix)])
        for state in gate.files:
            inside = state.path.startswith(prefix)
            page = state.path.removeprefix(prefix)
            if state.publishable:
                if inside:  # docs-relative, as MkDocs names sources; the rest is configuration
                    self.cleared[page] = self._footer(state)
            elif state.path in live:  # its last cleared version stays up while the new one waits
                kept = live[state.path]
                self.pending[page] = kept
                self.cleared[page] = self._footer(kept.status, shown=kept.since)
            elif inside:
                self.held_back[page] = state.reasons + ((down[state.path],) if state.path in down else ())
            elif state.path not in self.kept_configuration:  # `baomi publish` loads the cleared one
                fatal.append(
                    _("{path}: {state}: {reasons}").format(
                        path=state.path,
                        state=api.state_label(state.state),
                        reasons=_("; ").join(state.reasons),
                    )
                )
        return fatal

    @event_priority(100)
    def _on_files_first(self, files: Files, /, *, config: Any) -> Files:
        self.gate = gate = self.preset or self._gate(config)
        docs = Path(config.docs_dir).resolve()
        prefix = docs.relative_to(gate.repo_root.resolve()).as_posix() + "/"
        self.held_back, self.cleared, self.pending = {}, {}, {}
        self.spoken = site_language(config.theme.get("language"))
        fatal = self._sort(gate, prefix)
        for page, kept in ({} if self._preview() else api.renamed_pages(gate, prefix)).items():
            # renamed: the old address serves its last cleared bytes until the new path is cleared
            name = page.removeprefix(prefix)
            self.pending[name] = kept
            self.cleared[name] = self._footer(kept.status, shown=kept.since)
            files.append(File.generated(config, name, content=kept.data))
        for file in list(files):
            source = Path(file.abs_src_path) if file.abs_src_path else None
            if source and source.is_symlink() and not source.resolve().is_relative_to(docs):
                fatal.append(
                    _("{file}: a symlink pointing outside {folder}/ is refused").format(
                        file=file.src_uri, folder=docs.name
                    )
                )
            if file.src_uri in self.pending:
                file.content_bytes = self.pending[file.src_uri].data  # the bytes cleared, from git
            if file.src_uri in self.held_back and not self._preview():
                files.remove(file)
        if self.held_back and not self._hold_back():
            fatal += [
                _("{path}: not cleared: {reasons}").format(path=f"{prefix}{p}", reasons=_("; ").join(r))
                for p, r in sorted(self.held_back.items())
            ]
        if fatal and not self._preview():
            raise PluginError(_("baomi: not publishable:") + "\n  " + "\n  ".join(fatal))
        return files

    @event_priority(-100)
    def _on_files_last(self, files: Files, /, *, config: Any) -> Files:
        if self._preview():
            return files  # the preview shows pending pages on purpose
        docs = Path(config.docs_dir).resolve()
        for file in files:
            from_docs = file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(docs)
            if from_docs and file.src_uri not in self.cleared:
                raise PluginError(
                    _("baomi: {file} was added to the build without clearance").format(file=file.src_uri)
                )
            if file.is_documentation_page() and file.src_uri not in self.cleared:
                raise PluginError(
                    _("baomi: a plugin generated the page {file}; it has no clearance").format(
                        file=file.src_uri
                    )
                )
        return files

    on_files = CombinedEvent(_on_files_first, _on_files_last)

    def on_nav(self, nav: Navigation, /, *, config: Any, files: Files) -> Navigation:
        if not self._preview():
            nav.items = _prune(nav.items, set(self.held_back))
        if not config.nav:  # built from folders: a section is named by its index page, not its folder
            _title_sections(nav.items)
        return nav

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Files) -> str:
        """In the preview only: a pending page gets a 待审核 banner and its findings marked."""
        source = page.file.src_uri
        if not self._preview() or source not in self.held_back or self.gate is None:
            return markdown
        findings = api.pending_findings(self.gate, Path(page.file.abs_src_path))
        return mark_pending(markdown, findings, self.held_back[source])

    def on_page_content(self, html: str, /, *, page: Any, config: Any, files: Files) -> str:
        source = page.file.src_uri
        if self._preview() and source in self.held_back:
            return html
        if source not in self.cleared or self.gate is None:
            raise PluginError(_("baomi: {file} reached rendering without clearance").format(file=source))
        findings = api.screen_built(self.gate, f"{source}.html", html.encode("utf-8"))
        blocking = [f"{f.rule} ({f.excerpt})" for f in findings if f.level is Level.BLOCK]
        if blocking:
            raise PluginError(
                _(
                    "baomi: the rendered page {file} holds blocking text ({findings}); text pulled in "
                    "at build time (snippets, includes) must be cleared too"
                ).format(file=source, findings=_(", ").join(blocking))
            )
        self.screened[page.file.dest_uri] = html
        return html + self.cleared[source]

    def on_post_build(self, *, config: Any) -> None:
        if self.gate is not None:
            api.remember_built(self.gate)
        if self._preview():
            return
        site = Path(config.site_dir)
        for page in self.held_back:
            stem = page.rsplit(".", 1)[0]
            for leaked in (site / stem / "index.html", site / f"{stem}.html", site / page):
                if leaked.exists():
                    raise PluginError(
                        _("baomi: the held-back page {page} reached the site as {file}").format(
                            page=page, file=leaked
                        )
                    )


def _title_sections(items: list[Any]) -> None:
    """Give each section the title of its folder's index page (`news/index.md`: 政务动态), so no
    folder name (`News`) shows in the navigation."""
    for item in items:
        if not isinstance(item, Section):
            continue
        for child in item.children:
            file = getattr(child, "file", None)
            source = getattr(file, "src_uri", "")
            if file is not None and source.rsplit("/", 1)[-1] in ("index.md", "README.md"):
                title = api.page_title(source, file.content_bytes)
                if title:
                    item.title = title
                break
        _title_sections(item.children)


def _prune(items: list[Any], held_back: set[str]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if isinstance(item, Section):
            item.children = _prune(item.children, held_back)
            if item.children:
                kept.append(item)
        elif isinstance(item, Link):
            if item.url.removeprefix("./") not in held_back:
                kept.append(item)
        elif getattr(item, "file", None) is None or item.file.src_uri not in held_back:
            kept.append(item)
    return kept


def _review_line(state: FileStatus, shown: str = "") -> str:
    """The footer line of a cleared page: who reviewed it, in which role, and when; for a page
    whose new version waits, which version is shown. In the language of the site (`speaking`)."""
    people = listed(
        _("{name} ({title})").format(name=s.signer.name, title=s.signer.title)
        for s in state.signoffs
        if s.signer
    )
    date = max(s.committed for s in state.signoffs).date().isoformat()
    line = _("This page passed the secrecy review · signed off by {people} · {date}").format(
        people=people, date=date
    )
    if shown:
        waits = _(" · the version shown is the one cleared in {commit}; its new version awaits review")
        line += waits.format(commit=shown[:10])
    style = "margin-top:2em;font-size:.8em;opacity:.75"
    return f'\n<div class="baomi-review" style="{style}">{html.escape(line)}</div>\n'
