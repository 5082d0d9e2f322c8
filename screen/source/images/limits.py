"""What one image may cost to read: pixels its header claims, metadata text we inflate and parse."""

from __future__ import annotations

from screen.errors import InputError
from screen.i18n import _

# No portal image comes near this; a header claiming more is a bomb or a mistake. Just under
# Pillow's own refusal (2 × Image.MAX_IMAGE_PIXELS), so every format gets this message.
MAX_PIXELS = 178_000_000
MAX_CHUNK_TEXT = 1 << 20  # inflated size of one compressed PNG text chunk
MAX_TEXT = 8 << 20  # inflated PNG text and XMP packets of one image, in all
MAX_PAGES = 1000  # TIFF pages (each page's header is read)


class Budget:
    """Inflated and XML bytes one image may make us read."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_TEXT

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise InputError(
                "",
                _(
                    "the image carries more than {limit} MiB of metadata text (a decompression "
                    "bomb?); write a copy without metadata with `baomi strip`"
                ).format(limit=MAX_TEXT >> 20),
            )


def check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(
            "",
            _(
                "the image claims {width}×{height} pixels ({megapixels:.0f} megapixels), above "
                "the {limit}-megapixel limit: a decompression bomb, or far too large "
                "for a web page; scale it down and re-export it"
            ).format(
                width=width, height=height, megapixels=width * height / 1e6, limit=MAX_PIXELS // 1_000_000
            ),
        )
