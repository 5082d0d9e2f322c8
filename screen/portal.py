"""The portal's layout as MkDocs sees it, read once from its configuration closure into a frozen
record (`screen.mkdocs_config`), and the files it publishes: the docs directory, the theme
overrides, and the configuration itself (the files it inherits and its hooks included)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from screen.errors import UsageError
from screen.i18n import _
from screen.mkdocs_config import read_closure
from screen.source.rendering import setup_from

CONFIG_NAME = "mkdocs.yml"
STDIN = "-"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    path: Path  # on disk (or "-")
    display: str  # as reported
    config: bool = False  # an MkDocs configuration file: its strings are screened as `config`
    theme: bool = False  # configuration (theme override, config closure): needs the config role
    data: bytes | None = None  # the bytes to screen when they are not the file's (the git index)
    link: bool = False  # a symbolic link stands on its way (the file or a folder): refused

    @property
    def stdin(self) -> bool:
        return str(self.path) == STDIN


@dataclass(frozen=True, slots=True, kw_only=True)
class Portal:
    root: Path
    docs_dir: Path
    theme_dir: Path | None  # the theme's `custom_dir` (overrides): published too
    config_files: tuple[Path, ...] = ()  # the configuration file and what it inherits
    hook_files: tuple[Path, ...] = ()  # hook modules MkDocs runs inside the build
    snippet_dirs: tuple[Path, ...] = ()  # pymdownx.snippets' base paths: included into pages
    template_files: tuple[Path, ...] = ()  # extra_templates: pages MkDocs renders with Jinja

    def folders(self) -> list[Path]:
        """The published folders: the docs directory, the theme overrides and the snippets."""
        return [self.docs_dir] + [d for d in (self.theme_dir,) if d is not None] + list(self.snippet_dirs)

    def configuration(self) -> list[str]:
        """Root-relative names of the configuration closure: config files and hooks."""
        return [_display(p, self.root) for p in (*self.config_files, *self.hook_files)]

    def is_config_file(self, display: str) -> bool:
        """Whether a root-relative path is an MkDocs configuration file (its strings are read
        as configuration)."""
        return display in {_display(p, self.root) for p in self.config_files} or display == CONFIG_NAME

    def is_published(self, display: str) -> bool:
        """Whether a root-relative path is something the portal publishes."""
        if display == CONFIG_NAME or display in self.configuration():
            return True
        path = (self.root / display).absolute()
        return any(path.is_relative_to(folder.absolute()) for folder in self.folders())

    def needs_config_role(self, display: str) -> bool:
        """Whether a root-relative path is configuration: a theme override or a file of the
        configuration closure (it needs the configuration role)."""
        path = (self.root / display).absolute()
        templates = {t.absolute() for t in self.template_files}
        return (
            any(
                path.is_relative_to(d.absolute())
                for d in (self.theme_dir, *self.snippet_dirs)
                if d is not None
            )
            or path in templates
            or display in self.configuration()
        )

    def audited_paths(self) -> list[str]:
        """Repository-relative pathspecs of what the portal publishes (for the history audit)."""
        root = self.root.absolute()
        folders = [f.absolute().relative_to(root).as_posix() for f in self.folders()]
        inside = [name for name in self.configuration() if not Path(name).is_absolute()]
        return folders + sorted({*inside, CONFIG_NAME})


def read_portal(root: Path) -> Portal:
    """The layout of the portal at `root`, as MkDocs resolves its configuration."""
    closure = read_closure(root)
    values = closure.values
    configured = values.get("docs_dir")
    theme = values.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    base = closure.config_file.parent if closure.config_file else root
    docs = base / configured if isinstance(configured, str) else _default_docs(base, closure.files)
    templates = values.get("extra_templates") or []
    return Portal(
        root=root,
        docs_dir=docs,
        theme_dir=base / custom if isinstance(custom, str) else None,
        config_files=closure.files,
        hook_files=closure.hooks,
        snippet_dirs=_snippet_dirs(root, values),
        template_files=tuple(docs / t for t in templates if isinstance(t, str))
        if isinstance(templates, list)
        else (),
    )


def _snippet_dirs(root: Path, values: dict[str, object]) -> tuple[Path, ...]:
    """Where pymdownx.snippets may include files from, when the portal renders with it. Its
    default base path is the whole repository and it can fetch URLs: both are refused, as what
    it includes is published and must be cleared."""
    setup = setup_from(values)
    if "pymdownx.snippets" not in setup.extensions:
        return ()
    options = json.loads(setup.options).get("pymdownx.snippets", {})
    if options.get("url_download"):
        raise UsageError(
            _(
                "pymdownx.snippets in {file} has url_download on: the build would publish text "
                "fetched from the network, which no sign-off covers; turn it off"
            ).format(file=CONFIG_NAME)
        )
    configured = options.get("base_path", ["."])
    paths = (
        [configured] if isinstance(configured, str) else configured if isinstance(configured, list) else []
    )
    dirs = []
    for name in paths:
        folder = root / str(name)
        if root.absolute().is_relative_to(Path(os.path.normpath(folder.absolute()))):
            raise UsageError(
                _(
                    "pymdownx.snippets in {file} may include any file of the repository (base_path "
                    "{path}); set base_path to a folder of snippets (base_path: [snippets]), whose files "
                    "are then published and cleared as configuration"
                ).format(file=CONFIG_NAME, path=repr(name))
            )
        dirs.append(folder)
    return tuple(dirs)


def _default_docs(base: Path, config_files: tuple[Path, ...]) -> Path:
    """Where the pages are when the configuration names no docs_dir: MkDocs' own default `docs/`
    whenever it exists (that is what MkDocs builds), else this project's `content/` (MkDocs
    would find nothing to build then, so screening it publishes nothing unseen)."""
    docs = base / "docs"
    return docs if config_files and (docs.is_dir() or not (base / "content").is_dir()) else base / "content"


def _display(path: Path, root: Path) -> str:
    """`path` relative to the root as it is published: a symlink is named as itself, not as its
    target (which may be missing, or named differently). A name that is not UTF-8 shows its
    undecodable bytes as U+FFFD (it is refused when screened)."""
    shown = path.as_posix()
    for candidate, base in (
        (Path(os.path.normpath(path.absolute())), root.absolute()),
        (path.parent.resolve() / path.name, root.resolve()),
    ):
        if candidate.is_relative_to(base):
            shown = candidate.relative_to(base).as_posix()
            break
    return os.fsencode(shown).decode("utf-8", "replace")


def _walk(directory: Path, root: Path) -> list[Target]:
    """Every file under `directory`. MkDocs follows symlinked directories, so this does too (a
    link back to a directory being walked is not followed again)."""
    targets = []
    chains: dict[Path, frozenset[Path]] = {}  # real paths of each directory's ancestors
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=True):
        chain = chains.pop(Path(dirpath), frozenset()) | {Path(dirpath).resolve()}
        dirnames[:] = sorted(d for d in dirnames if Path(dirpath, d).resolve() not in chain)
        chains.update(dict.fromkeys((Path(dirpath, d) for d in dirnames), chain))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            targets.append(Target(path=path, display=_display(path, root), link=_linked(path, root)))
    return targets


def _linked(path: Path, root: Path) -> bool:
    """Whether `path`, or a folder between it and the portal's root, is a symbolic link (the
    root's own location may be reached through links: those are the machine's, not the portal's)."""
    absolute = Path(os.path.normpath(path.absolute()))
    base = root.absolute()
    while absolute != base and absolute.is_relative_to(base):
        if absolute.is_symlink():
            return True
        absolute = absolute.parent
    return False


def published(portal: Portal) -> list[Target]:
    """Everything that would be published: the docs directory and the MkDocs configuration."""
    content, root = portal.docs_dir, portal.root
    if not content.is_dir():
        raise UsageError(
            _(
                "no {folder}/ directory under {root}: run baomi in the portal's root, "
                "or name the files to screen"
            ).format(folder=content.name, root=root)
        )
    targets = [replace(t, theme=portal.needs_config_role(t.display)) for t in _walk(content, root)]
    overrides = portal.theme_dir
    if overrides is not None:
        if not overrides.is_dir():
            raise UsageError(
                _("theme.custom_dir {folder}/ in {file} does not exist").format(
                    folder=overrides.name, file=CONFIG_NAME
                )
            )
        targets += [replace(t, config=False, theme=True) for t in _walk(overrides, root)]
    for snippets in portal.snippet_dirs:
        if snippets.is_dir():
            targets += [replace(t, theme=True) for t in _walk(snippets, root)]
    for path in portal.config_files:
        link = _linked(path, root)
        targets.append(Target(path=path, display=_display(path, root), config=True, theme=True, link=link))
    targets += [
        Target(path=p, display=_display(p, root), theme=True, link=_linked(p, root))
        for p in portal.hook_files
    ]
    return targets


def resolve(portal: Portal, paths: list[str]) -> list[Target]:
    """Targets for the command line's paths (default: everything published)."""
    if not paths:
        return published(portal)
    targets: list[Target] = []
    for raw in paths:
        if raw == STDIN:
            targets.append(Target(path=Path(STDIN), display="<stdin>"))
            continue
        path = Path(raw)
        if path.is_dir():
            walked = _walk(path, portal.root)
            targets.extend(replace(t, theme=portal.needs_config_role(t.display)) for t in walked)
        elif path.exists() or path.is_symlink():
            display = _display(path, portal.root)
            config, link = portal.is_config_file(display), _linked(path, portal.root)
            theme = portal.needs_config_role(display)
            targets.append(Target(path=path, display=display, config=config, theme=theme, link=link))
        else:
            raise UsageError(_("{path}: no such file or directory").format(path=raw))
    return targets


def changed_targets(
    portal: Portal,
    found: list[tuple[str, bytes | None]],
    paths: list[str],
    links: frozenset[str] = frozenset(),
) -> list[Target]:
    """Targets for files git reports changed (`found`: root-relative names, with their staged
    bytes or None for the working tree's; `links`: those staged as symbolic links): those
    published, and under PATH… when given."""
    wanted = [Path(p).as_posix().rstrip("/") for p in paths]
    return [
        Target(
            path=portal.root / name,
            display=name,
            config=portal.is_config_file(name),
            theme=portal.needs_config_role(name),
            data=data,
            link=name in links or (data is None and _linked(portal.root / name, portal.root)),
        )
        for name, data in found
        if portal.is_published(name)
        and (not wanted or any(name == w or name.startswith(w + "/") for w in wanted))
    ]
