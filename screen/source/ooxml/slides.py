"""The .pptx reader: slides in presentation order, speaker notes, comments."""

from __future__ import annotations

from collections.abc import Iterator

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field
from screen.source.ooxml.package import Package, events, fix
from screen.source.ooxml.parts import (
    main_part,
    one_line,
    paragraphs,
    properties,
    relationship_id,
    relationships,
    sweep,
    targets,
    text_field,
)


def read_pptx(package: Package) -> Iterator[Field]:
    main = main_part(package, "pptx")  # not claimed: the sweep reads any stray text in it
    presentation = relationships(package, main)
    order = [
        relationship_id(e)
        for event, e, path in events(package, main)
        if event == "start" and path.name == "sldId"
    ]
    authors = _comment_authors(package)
    for number, identifier in enumerate(order, 1):
        relationship = presentation.get(identifier)
        target = relationship.target if relationship and not relationship.external else ""
        if package.find(target) is None:
            raise InputError(
                "",
                _("slide {number} points to no part of the package; it is damaged: {fix}").format(
                    number=number, fix=fix("pptx")
                ),
            )
        slide = package.claim(target)
        if slide is None:
            continue
        yield from _slide(package, slide, number, authors)
    yield from properties(package)
    yield from sweep(package)


def _slide(package: Package, slide: str, number: int, authors: dict[str, str]) -> Iterator[Field]:
    yield from paragraphs(package, slide, f"slide {number}", hidden=" (hidden slide)")
    slide_relationships = relationships(package, slide)
    for target in targets(slide_relationships, "notesSlide"):
        if notes := package.claim(target):
            yield from paragraphs(package, notes, f"slide {number} notes")
    for target in targets(slide_relationships, "comments"):
        if comments := package.claim(target):
            yield from _slide_comments(package, comments, f"slide {number}", authors)


def _comment_authors(package: Package) -> dict[str, str]:
    """Comment author names by id: legacy `commentAuthors.xml`, modern `authors.xml`."""
    authors: dict[str, str] = {}
    for name in ("ppt/commentAuthors.xml", "ppt/authors.xml"):
        part = package.claim(name)
        for event, element, path in events(package, part) if part else ():
            if event == "start" and path.name in ("cmAuthor", "author"):
                authors[element.get("id", "")] = one_line(element.get("name", ""))
    return authors


_COMMENTS = frozenset({"cm", "reply"})


def _slide_comments(package: Package, part: str, slide: str, authors: dict[str, str]) -> Iterator[Field]:
    """Legacy comments (`p:cm` holding `p:text`) and modern ones (`cm` with `a:p` text and replies),
    numbered in the order they are stored."""
    open_: list[tuple[int, list[str]]] = []
    count = 0
    for event, element, path in events(package, part):
        if event == "start" and path.name in _COMMENTS:
            count += 1
            open_.append((count, []))
        elif event == "end" and path.name in _COMMENTS:
            number, runs = open_.pop()
            where = f"{slide} comment {number}"
            yield from text_field(where, "".join(runs).strip())
            yield from text_field(f"{where} author", authors.get(element.get("authorId", ""), ""))
        elif event == "end" and open_ and element.text and path.name in ("t", "text"):
            open_[-1][1].append(element.text)
        elif event == "end" and open_ and path.name == "p":
            open_[-1][1].append(" ")
