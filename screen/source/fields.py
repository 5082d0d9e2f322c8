"""What a reader of a binary attachment yields: text with the place a person finds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One piece of an attachment's text and where it is: `page 3`, `Sheet1!B3`,
    `comment 2`, `EXIF GPS`, `docProps/core.xml creator`. The text is one line (line breaks
    inside it become spaces when the document is built)."""

    location: str
    text: str
