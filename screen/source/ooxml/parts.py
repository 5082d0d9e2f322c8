"""What every format's reader shares: relationships, the main part, document properties, text joined
by paragraph, and the sweep of parts no specific reader claimed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field, TableCell
from screen.source.ooxml.package import Package, events, fix

_MAIN = {
    "docx": ("word/document.xml", ("wordprocessingml", "ms-word")),
    "xlsx": ("xl/workbook.xml", ("spreadsheetml", "ms-excel")),
    "pptx": ("ppt/presentation.xml", ("presentationml", "ms-powerpoint")),
}


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (Transitional or Strict OOXML)."""
    for key, value in element.attrib.items():
        if key == name or key.endswith("}" + name):
            return value
    return None


def relationship_id(element: Element) -> str:
    return next((v for k, v in element.attrib.items() if k.startswith("{") and k.endswith("}id")), "")


def one_line(text: str) -> str:
    return " ".join(text.split())


def text_field(location: str, text: str, cell: TableCell | None = None) -> Iterator[Field]:
    if text.strip():
        yield Field(location=location, text=text, cell=cell)


_DIGITS = re.compile(r"([0-9]+)")


def natural(name: str) -> tuple[str | int, ...]:
    """`slide2.xml` sorts before `slide10.xml`."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(name.lower())))


# --- package structure: relationships, the main part, properties, the sweep ---------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Relationship:
    id: str
    type: str
    target: str  # a part name, or the URL of an external target
    external: bool


def relationships(package: Package, source: str) -> dict[str, Relationship]:
    """Relationships of part `source` ('' for the package) by id, targets resolved to part names."""
    folder, _, base = source.rpartition("/")
    part = package.find(posixpath.join(folder, "_rels", f"{base}.rels"))
    found: dict[str, Relationship] = {}
    for event, element, path in events(package, part) if part else ():
        if event == "start" and path.name == "Relationship":
            target = element.get("Target", "")
            external = element.get("TargetMode") == "External"
            if not external:
                target = unquote(target)
                target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(target)
            identifier = element.get("Id", "")
            found[identifier] = Relationship(
                id=identifier, type=element.get("Type", ""), target=target, external=external
            )
    return found


def targets(relationships: dict[str, Relationship], kind: str) -> list[str]:
    """Internal targets of relationships whose type ends with `/kind`."""
    return [r.target for r in relationships.values() if r.type.endswith("/" + kind) and not r.external]


def main_part(package: Package, kind: str) -> str:
    default, markers = _MAIN[kind]
    for candidate in [*targets(relationships(package, ""), "officeDocument"), default]:
        name = package.find(candidate)
        if name and any(marker in package.content_type(name) for marker in markers):
            return name
    raise InputError(
        "",
        _(
            "the package has no {part} (the main part of a .{kind} file); it is another kind of "
            "Office file or damaged: {fix}"
        ).format(part=default, kind=kind, fix=fix(kind)),
    )


_CORE_SKIPPED = frozenset({"created", "modified", "lastPrinted", "revision"})  # dates and counters
_APP_KEPT = frozenset({"Company", "Manager", "Template", "HyperlinkBase"})


def properties(package: Package) -> Iterator[Field]:
    """docProps: core (title, creator, …), app (company, manager, …) and custom properties, each
    as `name: value` so the name is screened too."""
    if core := package.claim("docProps/core.xml"):
        for event, element, path in events(package, core):
            if event == "end" and len(path.names) == 2 and path.name not in _CORE_SKIPPED:
                yield from _property(core, path.name, element.text)
    if app := package.claim("docProps/app.xml"):
        for event, element, path in events(package, app):
            if event == "end" and len(path.names) == 2 and path.name in _APP_KEPT:
                yield from _property(app, path.name, element.text)
            elif event == "end" and path.within("TitlesOfParts"):
                yield from _property(app, "TitlesOfParts", element.text)
    if custom := package.claim("docProps/custom.xml"):
        yield from _custom_properties(package, custom)


def _custom_properties(package: Package, custom: str) -> Iterator[Field]:
    values: list[str] = []
    for event, element, path in events(package, custom):
        if event == "end" and len(path.names) > 2 and element.text:
            values.append(element.text)
        elif event == "end" and len(path.names) == 2:
            yield from _property(custom, one_line(attribute(element, "name") or ""), " ".join(values))
            values = []


def _property(part: str, name: str, value: str | None) -> Iterator[Field]:
    if value and value.strip():
        yield Field(location=f"{part} {name}".rstrip(), text=f"{name}: {value.strip()}")


def sweep(package: Package) -> Iterator[Field]:
    """Every part no specific reader claimed: XML text by paragraph, external link targets."""
    for name in sorted(package.names, key=natural):
        lower = name.lower()
        if lower in package.claimed:
            continue
        if lower.endswith(".rels"):
            for event, element, _ in events(package, name):
                if event == "start" and element.get("TargetMode") == "External":
                    yield from text_field(f"{name} {element.get('Id', '')}", element.get("Target", ""))
        elif lower.endswith((".xml", ".vml")) or package.content_type(name).endswith("xml"):
            yield from paragraphs(package, name, name)


_BREAKS = frozenset({"tab", "br", "cr"})


def paragraphs(package: Package, part: str, location: str, hidden: str = "") -> Iterator[Field]:
    """Text of `part` joined per paragraph (`p` in DrawingML and WordprocessingML alike), so a term
    split across runs stays whole; text outside paragraphs comes one element at a time. `hidden`
    is added to the location when the root says `show="0"` (a hidden slide)."""
    open_: list[list[str]] = []
    for event, element, path in events(package, part):
        if event == "start":
            if len(path.names) == 1 and hidden and element.get("show") in ("0", "false"):
                location += hidden
            if path.name == "p":
                open_.append([])
            elif path.name in _BREAKS and path.parent in ("r", "p") and open_:  # w:br in a run, a:br
                open_[-1].append(" ")
            continue
        text = element.tail if event == "tail" else element.text
        if event == "end" and path.name == "s":  # a pivot cache keeps its strings in `v`
            text = element.get("v")
        keep = text and (text.strip() or (event == "end" and path.name == "t"))
        if text and keep and open_:
            open_[-1].append(text)
        elif text and keep:
            yield from text_field(location, text)
        if event == "end" and path.name == "p":
            yield from text_field(location, "".join(open_.pop()))
