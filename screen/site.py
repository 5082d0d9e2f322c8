"""Drive MkDocs: `baomi publish` (verify everything, build into a fresh directory, audit what was
built, and only then put it in place of the site; on any failure the old site stays untouched)
and `baomi serve` (a local preview on a loopback address, pending pages marked)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from screen import api
from screen.built import Origins, audit
from screen.errors import EXIT_BLOCKED, ScreenError, UsageError
from screen.i18n import _
from screen.mkdocs_plugin import HOLD_BACK_ENV, PREVIEW_ENV, BaomiPlugin
from screen.model import HeldBackFile, PendingFile, PublishResult

CONFIG_NAME = "mkdocs.yml"


class PublishError(ScreenError):
    """The build or its audit found something not publishable (exit 1)."""

    exit_code = EXIT_BLOCKED


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """`name` set to `value` (or unset) for the duration, as it was afterwards."""
    previous = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _configuration(root: Path, gate: api.SiteGate, kept: dict[str, api.LivePage], copy: Path) -> Path:
    """The configuration MkDocs loads when part of it waits for a sign-off: the closure and the
    theme overrides written to `copy`, each in the version that may be published (the waiting
    ones in their last cleared version), so MkDocs never reads the uncleared bytes. The copy
    must lay the portal out as the working configuration does; returns its configuration file."""
    for path, data in api.configuration_files(gate, kept).items():
        target = copy / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    changes = api.layout_changes(root, copy)
    if changes:
        raise PublishError("\n  ".join(changes))
    return copy / api.config_file(root).relative_to(root)


def _build(
    root: Path, into: Path, gate: api.SiteGate, kept: dict[str, api.LivePage], copy: Path
) -> tuple[BaomiPlugin, Origins]:
    """Run MkDocs with the baomi plugin holding uncleared pages back (with the gate computed
    before MkDocs loaded anything); return its plugin and where the built files may come from.
    With configuration in `kept`, MkDocs loads the cleared configuration written to `copy`."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_path, options = api.config_file(root), {}
    if kept:
        config_path = _configuration(root, gate, kept, copy)
        options["docs_dir"] = str(gate.workspace.portal.docs_dir.absolute())
    with _environment(HOLD_BACK_ENV, "1"):
        try:
            config = load_config(config_file=str(config_path), site_dir=str(into), **options)
            plugin = config.plugins.get("baomi")
            if not isinstance(plugin, BaomiPlugin):
                raise PublishError(
                    _("{file} does not enable the baomi plugin; add `- baomi` under plugins").format(
                        file=CONFIG_NAME
                    )
                )
            plugin.preset, plugin.kept_configuration = gate, kept
            config.plugins.on_startup(command="build", dirty=False)
            build(config, dirty=False)
            origins = Origins(
                docs=Path(config.docs_dir),
                theme_dirs=tuple(Path(d) for d in config.theme.dirs),
                cleared=frozenset(plugin.cleared),
                site_url=config.site_url or None,
                contents={page: kept.data for page, kept in plugin.pending.items()},
                screened={path: html.encode("utf-8") for path, html in plugin.screened.items()},
            )
            return plugin, origins
        except MkDocsException as error:
            raise PublishError(str(error)) from None


def publish(root: Path, site_dir: Path) -> PublishResult:
    """Build, audit and swap in the site; raise `PublishError` and leave the old site otherwise."""
    gate, problems, kept = api.gate_before_load(root)
    if gate is None or problems:
        raise PublishError(
            _(
                "the MkDocs configuration is not cleared, so MkDocs does not read it (loading runs "
                "its Python tags and hooks); clear it first (`baomi sign`, with the configuration role):"
            )
            + "\n  "
            + "\n  ".join(problems)
        )
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    copy = Path(tempfile.mkdtemp(prefix=".baomi-configuration-"))
    try:
        plugin, origins = _build(root, staging, gate, kept, copy)
        if plugin.gate is None:
            raise PublishError(_("the baomi plugin did not check the build; nothing is published"))
        problems = audit(staging, plugin.gate, origins)
        api.remember_built(plugin.gate)
        if problems:
            raise PublishError(_("the built site failed its audit:") + "\n  " + "\n  ".join(problems))
        pages = sum(1 for _ in staging.rglob("*.html"))
        _swap(staging, site_dir)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        if staging.exists():
            shutil.rmtree(staging)
    waiting = [*sorted(kept.items()), *sorted(plugin.pending.items())]  # configuration, then pages
    return PublishResult(
        site=str(site_dir),
        pages=pages,
        pending=tuple(PendingFile(path=p, shown=v.since, waiting=v.waiting) for p, v in waiting),
        held_back=tuple(HeldBackFile(path=p, reasons=r) for p, r in sorted(plugin.held_back.items())),
    )


def _swap(staging: Path, site_dir: Path) -> None:
    """Put `staging` where `site_dir` is: two renames on one file system, the old site removed
    only after the new one is in place."""
    retired = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(retired)
    try:
        staging.rename(site_dir)
    except OSError:
        if retired.exists():
            retired.rename(site_dir)
        raise
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(retired)


def serve(root: Path, address: str) -> None:
    """Run MkDocs' development server in preview mode on a loopback address. It serves from a
    temporary directory, and the plugin refuses preview mode in any build."""
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    host, _colon, port = address.rpartition(":")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback or not port.isdigit():
        raise UsageError(
            _("--dev-addr {address}: the preview serves on localhost only (e.g. 127.0.0.1:8000)").format(
                address=address
            )
        )
    os.environ[PREVIEW_ENV] = "1"
    os.environ.pop(HOLD_BACK_ENV, None)
    try:
        mkdocs_serve(config_file=str(api.config_file(root)), dev_addr=address, livereload=True)
    except MkDocsException as error:
        raise UsageError(_("the preview could not be built: {error}").format(error=error)) from None
