"""Image metadata as screenable fields, read without decoding a single pixel.

PNG, JPEG and WebP containers are walked here, every chunk and segment (text after the image
data too); EXIF blocks are parsed by Pillow's `Image.Exif`; TIFF, GIF and BMP headers are read
by `Image.open`, which decodes nothing until `load()`, never called here. A decompression bomb
costs what its header costs. Each field reads `image.<name>: <value>` so rules can target image
metadata by name (rules/patterns/metadata.yml).

Layout: `containers` (the PNG, JPEG and WebP walks `baomi strip` shares), `formats` (the fields
of each format), `exif` (EXIF, GPS and how values become fields), `xmp`, and `limits`."""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Iterator

from screen.errors import InputError
from screen.i18n import _
from screen.source.fields import Field
from screen.source.images.containers import PNG_SIGNATURE, jpeg_segments, png_chunks, webp_chunks
from screen.source.images.formats import jpeg_fields, pillow_fields, png_fields, webp_fields
from screen.source.images.limits import Budget
from screen.source.images.xmp import READ_AGAIN

# What a damaged file makes parsers raise; anything else is a bug and must surface as one.
_MALFORMED = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    LookupError,
    ArithmeticError,
    EOFError,
    RecursionError,
    struct.error,
    zlib.error,
)


def image_fields(data: bytes) -> Iterator[Field]:
    """The image's metadata, one field per value; `InputError("", reason)` if it cannot be read."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fields = tuple(_fields(data, Budget()))
        except InputError:
            raise
        except _MALFORMED as error:
            raise InputError(
                "",
                _("cannot read this image ({kind}: {error}); {advice}").format(
                    kind=type(error).__name__, error=error, advice=_(READ_AGAIN)
                ),
            ) from None
    for warning in caught:
        # Pillow warns where it skips damaged EXIF tags: unread metadata is not screened metadata.
        harmless = warning.category.__name__ == "DecompressionBombWarning" or str(warning.message).startswith(
            "Metadata Warning"
        )
        if issubclass(warning.category, (UserWarning, RuntimeWarning)) and not harmless:
            raise InputError(
                "",
                _("the image's metadata is damaged ({warning}); {advice}").format(
                    warning=warning.message, advice=_(READ_AGAIN)
                ),
            )
    return iter(fields)


def _fields(data: bytes, budget: Budget) -> Iterator[Field]:
    if data.startswith(PNG_SIGNATURE):
        return png_fields(data, budget)
    if data.startswith(b"\xff\xd8"):
        return jpeg_fields(data, budget)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return webp_fields(data, budget)
    return pillow_fields(data, budget)


__all__ = ["PNG_SIGNATURE", "image_fields", "jpeg_segments", "png_chunks", "webp_chunks"]
