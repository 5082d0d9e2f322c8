"""The `baomi` MkDocs plugin: a thin door over `screen.api`. A build with a blocking finding in
anything it would publish fails with `PluginError`, whatever `strict` says.

(The sign-off gate and the rendered-HTML audit join this door in later issues.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

from screen.api import check, fingerprint_key
from screen.errors import ScreenError
from screen.model import Level
from screen.settings import Settings


class BaomiConfig(Config):  # type: ignore[no-untyped-call]
    rules = config_options.Type(str, default="rules")
    fail_on = config_options.Choice(("block", "review"), default="block")


class BaomiPlugin(BasePlugin[BaomiConfig]):  # type: ignore[no-untyped-call]
    def on_files(self, files: Files, /, *, config: Any) -> Files:
        root = Path(config.config_file_path).parent
        settings = Settings(
            root=root,
            rules_dir=root / self.config.rules,
            fingerprint_key=fingerprint_key(root),
            fail_on=Level(self.config.fail_on),
            jobs=1,
        )
        sources = [str(Path(f.abs_src_path)) for f in files if f.abs_src_path]
        try:
            result = check([*sources, config.config_file_path], settings)
        except ScreenError as error:
            raise PluginError(f"baomi: {error}") from None
        problems = [f"{e.path}: {e.message}" for e in result.errors]
        problems += [
            f"{f.path}:{f.line}:{f.column}: {f.level.value} {f.rule} {f.message} ({f.excerpt})"
            for f in result.findings
            if f.level.rank >= settings.fail_on.rank
        ]
        if problems:
            raise PluginError("baomi: not publishable:\n" + "\n".join(problems))
        return files
