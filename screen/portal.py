"""The portal's layout as MkDocs sees it, read once from `mkdocs.yml` into a frozen record, and the
files it publishes: the docs directory, the theme overrides and the configuration itself."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from screen.errors import InputError, UsageError
from screen.source.reading import read_file

CONFIG_NAME = "mkdocs.yml"
STDIN = "-"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    path: Path  # on disk (or "-")
    display: str  # as reported
    config: bool = False
    theme: bool = False  # a theme override: needs the config role
    data: bytes | None = None  # the bytes to screen when they are not the file's (the git index)

    @property
    def stdin(self) -> bool:
        return str(self.path) == STDIN


@dataclass(frozen=True, slots=True, kw_only=True)
class Portal:
    root: Path
    docs_dir: Path
    theme_dir: Path | None  # the theme's `custom_dir` (overrides): published too
    has_config: bool

    def folders(self) -> list[Path]:
        """The published folders: the docs directory and the theme overrides."""
        return [self.docs_dir] + [d for d in (self.theme_dir,) if d is not None]

    def is_published(self, display: str) -> bool:
        """Whether a root-relative path is something the portal publishes."""
        if display == CONFIG_NAME:
            return True
        path = (self.root / display).absolute()
        return any(path.is_relative_to(folder.absolute()) for folder in self.folders())

    def in_theme(self, display: str) -> bool:
        """Whether a root-relative path is a theme override (it needs the config role)."""
        theme = self.theme_dir
        return theme is not None and (self.root / display).absolute().is_relative_to(theme.absolute())

    def audited_paths(self) -> list[str]:
        """Repository-relative pathspecs of what the portal publishes (for the history audit)."""
        root = self.root.absolute()
        return [f.absolute().relative_to(root).as_posix() for f in self.folders()] + [CONFIG_NAME]


class _KeepTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; reading docs_dir needs neither."""


_KeepTags.add_multi_constructor("", lambda loader, suffix, node: None)


def _present(path: Path) -> bool:
    """Whether anything stands at `path`: a FIFO or a dangling link there is refused when read,
    never taken for "no configuration"."""
    return path.exists() or path.is_symlink()


def _config(root: Path) -> dict[str, object]:
    config = root / CONFIG_NAME
    if not _present(config):
        return {}
    try:
        text = read_file(config, CONFIG_NAME).decode("utf-8")
        loaded = yaml.load(text, Loader=_KeepTags)  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(CONFIG_NAME, f"cannot read the MkDocs configuration: {error}") from None
    except RecursionError:
        raise InputError(CONFIG_NAME, "cannot read the MkDocs configuration: nested too deeply") from None
    return loaded if isinstance(loaded, dict) else {}


def read_portal(root: Path) -> Portal:
    """The layout of the portal at `root` (docs_dir defaults to content/)."""
    config = _config(root)
    configured = config.get("docs_dir")
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return Portal(
        root=root,
        docs_dir=root / configured if isinstance(configured, str) else root / "content",
        theme_dir=root / custom if isinstance(custom, str) else None,
        has_config=_present(root / CONFIG_NAME),
    )


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
            targets.append(Target(path=path, display=_display(path, root)))
    return targets


def published(portal: Portal) -> list[Target]:
    """Everything that would be published: the docs directory and the MkDocs configuration."""
    content, root = portal.docs_dir, portal.root
    if not content.is_dir():
        raise UsageError(
            f"no {content.name}/ directory under {root}: run baomi in the portal's root, "
            "or name the files to screen"
        )
    targets = _walk(content, root)
    overrides = portal.theme_dir
    if overrides is not None:
        if not overrides.is_dir():
            raise UsageError(f"theme.custom_dir {overrides.name}/ in {CONFIG_NAME} does not exist")
        targets += [replace(t, config=False, theme=True) for t in _walk(overrides, root)]
    if portal.has_config:
        targets.append(Target(path=root / CONFIG_NAME, display=CONFIG_NAME, config=True))
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
            targets.extend(_walk(path, portal.root))
        elif path.exists() or path.is_symlink():
            display = _display(path, portal.root)
            targets.append(Target(path=path, display=display, config=path.name == CONFIG_NAME))
        else:
            raise UsageError(f"{raw}: no such file or directory")
    return targets


def changed_targets(portal: Portal, found: list[tuple[str, bytes | None]], paths: list[str]) -> list[Target]:
    """Targets for files git reports changed (`found`: root-relative names, with their staged
    bytes or None for the working tree's): those published, and under PATH… when given."""
    wanted = [Path(p).as_posix().rstrip("/") for p in paths]
    return [
        Target(path=portal.root / name, display=name, config=name == CONFIG_NAME, data=data)
        for name, data in found
        if portal.is_published(name)
        and (not wanted or any(name == w or name.startswith(w + "/") for w in wanted))
    ]
