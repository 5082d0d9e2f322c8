"""The MkDocs configuration as MkDocs resolves it, read as data only (nothing is constructed, no
Python runs): the file MkDocs picks (`mkdocs.yml`, else `mkdocs.yaml`), the chain of files it
inherits (`INHERIT:`), merged as MkDocs merges them, and the hook modules it would run. Every
file of that closure is published input: screened, and cleared under the configuration policy.

A value taken from the environment (`!ENV`) is refused: the environment cannot be signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from screen.errors import InputError
from screen.i18n import _
from screen.source.reading import read_file

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")  # MkDocs' own order
_MAX_INHERIT = 16


class _Data(yaml.SafeLoader):
    """MkDocs' tags, read as data: Python tags (`!!python/name:`) and `!relative` stay unbuilt,
    `!ENV` is refused."""


def _refuse_env(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    line = node.start_mark.line + 1
    raise yaml.constructor.ConstructorError(
        None,
        None,
        _(
            "line {line}: !ENV takes a value from the environment, which no sign-off covers; "
            "write the value into the file"
        ).format(line=line),
        node.start_mark,
    )


_Data.add_constructor("!ENV", _refuse_env)
_Data.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    values: dict[str, Any]  # the merged configuration ({} without a configuration file)
    files: tuple[Path, ...]  # the configuration file first, then what it inherits
    hooks: tuple[Path, ...]  # hook modules MkDocs would import and run

    @property
    def config_file(self) -> Path | None:
        return self.files[0] if self.files else None


def config_file(root: Path) -> Path | None:
    """The configuration file MkDocs picks in `root` (a FIFO or a dangling link counts: it is
    refused when read, never taken for "no configuration")."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.exists() or path.is_symlink():
            return path
    return None


def _load(path: Path, shown: str) -> dict[str, Any]:
    try:
        loaded = yaml.load(read_file(path, shown).decode("utf-8"), Loader=_Data)  # noqa: S506
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(
            shown, _("cannot read the MkDocs configuration: {error}").format(error=error)
        ) from None
    except RecursionError:
        raise InputError(shown, _("cannot read the MkDocs configuration: nested too deeply")) from None
    return loaded if isinstance(loaded, dict) else {}


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """`child` over `base`, mappings merged deeply, as MkDocs merges an inherited file."""
    merged = dict(base)
    for key, value in child.items():
        old = merged.get(key)
        merged[key] = _merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _shown(path: Path, root: Path) -> str:
    absolute, base = path.absolute(), root.absolute()
    return absolute.relative_to(base).as_posix() if absolute.is_relative_to(base) else str(path)


def _chain(first: Path, root: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """The configuration file and the files it inherits, with their values, child first."""
    files, layers, path = [first], [], first
    while True:
        values = _load(path, _shown(path, root))
        layers.append(values)
        parent = values.pop("INHERIT", None)
        if parent is None:
            return files, layers
        if not isinstance(parent, str):
            raise InputError(_shown(path, root), _("INHERIT must name a file"))
        path = path.parent / parent  # as written: a link on the way is seen, and refused
        if path.resolve() in {f.resolve() for f in files} or len(files) >= _MAX_INHERIT:
            raise InputError(_shown(path, root), _("INHERIT goes round in a circle, or too deep"))
        files.append(path)


def read_closure(root: Path) -> Closure:
    """The configuration of the portal at `root`, with every file it is made of."""
    first = config_file(root)
    if first is None:
        return Closure(values={}, files=(), hooks=())
    files, layers = _chain(first, root)
    values: dict[str, Any] = {}
    for layer in reversed(layers):
        values = _merge(values, layer)
    hooks = values.get("hooks") or []
    if not isinstance(hooks, list) or not all(isinstance(h, str) for h in hooks):
        raise InputError(_shown(first, root), _("hooks must be a list of file names"))
    return Closure(values=values, files=tuple(files), hooks=tuple(first.parent / h for h in hooks))
