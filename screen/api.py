"""The facade: one function per use case, each taking settings and arguments and returning one
result record. The doors (CLI, MkDocs plugin, site) call these and nothing below them."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from screen.audit.records import Inspection, Period, Trail
from screen.engine import build_engine, load_engine_from, shared_engine
from screen.errors import InputError, RuleError, UsageError
from screen.fixing import WORDING_KINDS, FileFix, FixPlan, fixable_file, plan, shown, unified_diff
from screen.fixing import apply as apply_edits
from screen.i18n import _
from screen.model import AuditedPage, CheckResult, CheckRun, Entity, Finding, HistoryResult, HistoryRun
from screen.normalize import fold
from screen.packaged import LOCK_FILE, LockChange, compare, installed, lock_text, read_lock
from screen.portal import Portal, Target, changed_targets, read_portal, resolve
from screen.report.rules import RulesView
from screen.ruleset import parse, read_sources
from screen.screening import (
    BuiltFindings,
    digest_files,
    markdown_setup,
    read_bytes,
    screen_reduced,
    screen_targets,
)
from screen.settings import KEY_FILE, Settings
from screen.signoff.records import FileStatus, Review, StatusResult, state_label
from screen.source import decode
from screen.source.reading import write_file

# The use cases below `check` (git, the sign-off chain, the audits, images) load when a command
# needs them: a one-file check at a pre-commit hook starts without GitPython.
if TYPE_CHECKING:
    from screen.scaffold import Initialized
    from screen.signoff.declassify import DeclassifyPlan
    from screen.signoff.revocation import RevokePlan
    from screen.signoff.signing import SignPlan
    from screen.signoff.workspace import Workspace
    from screen.sweep.records import SweepResult

__all__ = [
    "CheckResult", "FileStatus", "HistoryResult", "Inspection", "Period", "Review", "SiteGate",
    "StatusResult", "Trail", "state_label",
]  # fmt: skip


# --- screening --------------------------------------------------------------------------------


def check(settings: Settings, paths: list[str], stdin: bytes | None = None) -> CheckResult:
    """Screen `paths` (default: everything published; "-" is stdin) with the rules in `settings`."""
    return check_files(settings, paths, stdin).gathered()


def check_files(settings: Settings, paths: list[str], stdin: bytes | None = None) -> CheckRun:
    """`check`, its files' results coming as they are screened (what `baomi check` writes from:
    no run holds all its findings)."""
    targets = resolve(read_portal(settings.root), paths)
    if not targets:
        raise UsageError(_("no files to screen: the paths given hold no files"))
    return _checked(settings, targets, stdin)


def _checked(settings: Settings, targets: list[Target], stdin: bytes | None = None) -> CheckRun:
    engine = shared_engine(settings.rules_dir, settings.cache_dir)
    return CheckRun(
        each=partial(digest_files, engine, targets, settings, stdin=stdin),
        files_scanned=len(targets),
        rules_fingerprint=engine.fingerprint,
        rules=engine.ruleset.rules,
    )


# --- fixing ------------------------------------------------------------------------------------


def fix_plan(settings: Settings, paths: list[str], show_matches: bool = False) -> FixPlan:
    """What `baomi fix` would change in `paths` (default: everything published), and what stays
    for a person: each file screened from the bytes read once, fixed in memory, screened again."""
    portal = read_portal(settings.root)
    targets = resolve(portal, paths)
    if any(t.stdin for t in targets):
        raise UsageError(_("fix changes files in place; it does not read stdin"))
    if not targets:
        raise UsageError(_("no files to screen: the paths given hold no files"))
    engine = shared_engine(settings.rules_dir, settings.cache_dir)
    rules = {rule.id: rule for rule in engine.ruleset.rules}
    keep = frozenset(rule.id for rule in engine.ruleset.rules if rule.kind in WORDING_KINDS)
    setup = markdown_setup(settings.root)
    files, not_text, findings, errors = [], [], [], []
    for target in targets:
        before = read_bytes(target)
        screened = replace(target, data=before)
        found, failed = screen_targets(engine, [screened], settings.fingerprint_key, setup=setup)
        if failed or not fixable_file(target.display) or target.link:
            if not failed and not fixable_file(target.display):
                not_text.append(target.display)
            findings += found
            errors += failed
            continue
        text = decode(target.display, before)
        planned = plan(target.display, text, found, rules)
        fixed = apply_edits(text, planned.edits)
        after = (b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b"") + fixed.encode("utf-8")
        left, failed = screen_targets(
            engine, [replace(target, data=after)], settings.fingerprint_key, setup=setup
        )
        findings += left
        errors += failed
        diff = ""
        if after != before:
            old = text if show_matches else shown(text, found, keep)
            new = fixed if show_matches else shown(fixed, left, keep)
            diff = unified_diff(target.display, old, new)
        files.append(
            FileFix(
                path=target.display, file=target.path, before=before, after=after, plan=planned, diff=diff
            )
        )
    result = CheckResult(
        findings=tuple(findings),
        errors=tuple(errors),
        files_scanned=len(targets),
        rules_fingerprint=engine.fingerprint,
        rules=engine.ruleset.rules,
    )
    return FixPlan(files=tuple(files), not_text=tuple(not_text), result=result)


def fix_apply(planned: FixPlan) -> None:
    """Write the fixed files. Every one is read again first: a file another process changed
    since it was screened is refused (exit 2) and nothing is written."""
    changed = [f for f in planned.files if f.changed]
    for fixed in changed:
        try:
            now = fixed.file.read_bytes()
        except OSError as error:
            raise InputError(fixed.path, str(error)) from None
        if now != fixed.before:
            raise InputError(
                fixed.path,
                _(
                    "changed since it was screened (by another program?); nothing was written: "
                    "run `baomi fix` again"
                ),
            )
    for fixed in changed:
        write_file(fixed.file, fixed.after, fixed.path)


# --- sweeping published sites -----------------------------------------------------------------


def sweep(
    settings: Settings,
    sources: list[str],
    out: Path,
    scheduler: str | None,
    workers: int,
    since: Path | None = None,
    crawl: dict[str, float] | None = None,
    output: str = "parquet",
) -> SweepResult:
    """Screen already-published sites (WARC files, mirrors) on a Dask cluster: the findings as
    Parquet under `out/findings/`, the summary as `out/summary.md`, `.html` and `.json`."""
    from screen.report.sweep import format_sweep_html, format_sweep_json, format_sweep_markdown
    from screen.sweep.crawl import Limits
    from screen.sweep.driver import sweep as run_sweep

    given, default = crawl or {}, Limits()
    limits = Limits(
        pages=int(given.get("pages", default.pages)),
        depth=int(given.get("depth", default.depth)),
        pause=float(given.get("pause", default.pause)),
        timeout=float(given.get("timeout", default.timeout)),
    )
    source = read_sources(settings.rules_dir)
    engine = load_engine_from(source, settings.cache_dir)  # the rules are checked before any work
    result = run_sweep(
        sources,
        source,
        settings.fingerprint_key,
        out,
        fingerprint=engine.fingerprint,
        scheduler=scheduler,
        workers=workers,
        cache_dir=settings.cache_dir,
        since=since,
        limits=limits,
        output=output,
    )
    (out / "summary.md").write_text(format_sweep_markdown(result), encoding="utf-8")
    (out / "summary.html").write_text(format_sweep_html(result), encoding="utf-8")
    (out / "summary.json").write_text(format_sweep_json(result), encoding="utf-8")
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class WordImport:
    page: str  # the new page, root-relative
    title: str
    media: tuple[str, ...]
    check: CheckResult  # the new page (and its images) screened


def import_word(settings: Settings, source: Path, to: str | None) -> WordImport:
    """A Word draft becomes a page of the portal, screened at once (`baomi import`)."""
    from screen.word_import import default_target, import_docx

    portal = read_portal(settings.root)
    target = settings.root / to if to else default_target(source, portal.docs_dir)
    if not target.resolve().is_relative_to(portal.docs_dir.resolve()):
        raise UsageError(
            _("--to {to}: a page goes under {folder}/").format(
                to=to, folder=portal.docs_dir.relative_to(settings.root)
            )
        )
    done = import_docx(source, target)
    names = [done.page, *done.media]
    displays = [p.resolve().relative_to(settings.root.resolve()).as_posix() for p in names]
    result = check(settings, displays)
    return WordImport(page=displays[0], title=done.title, media=tuple(displays[1:]), check=result)


def check_changes(settings: Settings, paths: list[str], since: str | None) -> CheckRun | None:
    """Screen the published files in the git index (`since` None: their staged bytes) or changed
    in `since...HEAD` (as they are now), under `paths` when given; None when none changed."""
    from screen.vcs import Repository

    repo = Repository(settings.root)
    links: frozenset[str] = frozenset()
    if since is None:
        found: list[tuple[str, bytes | None]] = list(repo.staged().items())
        links = repo.staged_links()
    else:
        found = [(name, None) for name in repo.changed_since(since) if (settings.root / name).exists()]
    targets = changed_targets(read_portal(settings.root), found, paths, links)
    return _checked(settings, targets) if targets else None


def entities(rules_dir: Path, cache_dir: Path | None, lines: list[str]) -> list[tuple[Entity, ...]]:
    """The PERSON, PLACE and ORG entities of each line (offsets into that line), recognized with
    the entity patterns of `rules_dir`."""
    from screen.detectors.recognizer import Recognizer

    engine = shared_engine(rules_dir, cache_dir)
    if not engine.ruleset.recognizer:
        raise UsageError(
            _("{folder}: no entity patterns ('recognizer:' in rules/patterns/*.yml)").format(folder=rules_dir)
        )
    recognizer = Recognizer(engine.ruleset.recognizer)
    return [recognizer.entities(fold(line)) for line in lines]


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesChecked:
    rules: int
    examples: int
    fingerprint: str


def rules_check(rules_dir: Path) -> RulesChecked:
    """Validate the rule files and run every rule's own examples (no cache: a full check)."""
    engine = build_engine(parse(read_sources(rules_dir)))
    rules = engine.ruleset.rules
    examples = sum(len(r.hits) + len(r.misses) for r in rules)
    return RulesChecked(rules=len(rules), examples=examples, fingerprint=engine.fingerprint)


def rules_list(rules_dir: Path) -> RulesView:
    """Every rule in effect (disabled ones included), where it comes from and how it is overridden."""
    ruleset = parse(read_sources(rules_dir))
    return RulesView(
        rules=ruleset.rules,
        packaged=frozenset(r.id for r in ruleset.rules if ruleset.packaged(r)),
        overrides={o.rule: o.describe() for o in ruleset.overrides},
        fingerprint=ruleset.fingerprint,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RulesLocked:
    path: Path
    written: bool  # False: the lock already named these packaged rules
    change: LockChange | None  # against the previous lock (None: there was none)
    fingerprint: str


def rules_lock(rules_dir: Path) -> RulesLocked:
    """Write `rules/packaged.lock` for the packaged rules of this Baomi (a rules change the
    principal signs); what changed since the previous lock."""
    path = rules_dir / LOCK_FILE
    if not rules_dir.is_dir():
        raise UsageError(
            _("{folder}: no rules folder here; run baomi in a portal (or `baomi init`)").format(
                folder=rules_dir
            )
        )
    ours = installed()
    change = None
    if path.exists():
        data = path.read_bytes()
        try:
            old = read_lock(data)
        except RuleError:
            old = None  # damaged: written anew, and the principal sees the whole of it
        if old is not None:
            if old.fingerprint == ours.fingerprint and data == lock_text(ours).encode("utf-8"):
                return RulesLocked(
                    path=path, written=False, change=compare(old, ours), fingerprint=ours.fingerprint
                )
            change = compare(old, ours)
    path.write_text(lock_text(ours), encoding="utf-8")
    return RulesLocked(path=path, written=True, change=change, fingerprint=ours.fingerprint)


def init_portal(root: Path, name: str, org: str) -> Initialized:
    """`baomi init`: a new portal at `root`; nothing that exists is overwritten."""
    from screen.scaffold import init

    return init(root, name, org)


def new_key() -> str:
    """A fresh fingerprint key."""
    return secrets.token_hex(32)


def write_key(root: Path) -> Path:
    """Write a fresh fingerprint key to `.baomi/fingerprint.key`; never over an existing one."""
    path = root / KEY_FILE
    if path.exists():
        raise UsageError(
            _("{path} exists; delete it first (every waiver made with it stops matching)").format(path=path)
        )
    path.parent.mkdir(exist_ok=True)
    path.write_text(new_key() + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


def strip(path: Path, in_place: bool) -> Path:
    """Write `path` without metadata; the path written."""
    from screen.strip import strip_file

    return strip_file(path, in_place=in_place)


# --- the sign-off contract --------------------------------------------------------------------


def status(settings: Settings, paths: list[str], since: str | None = None) -> StatusResult | None:
    """Every published file's state (or those of `paths`, or those changed in `since...HEAD`;
    None when `since` finds none)."""
    from screen.signoff.status import status as file_status
    from screen.signoff.workspace import Workspace

    workspace = Workspace(settings)
    if since is not None:
        if paths:
            raise UsageError(_("give PATH… or --since, not both"))
        changed = set(workspace.repo.changed_since(since))
        paths = [t.display for t in workspace.targets if t.display in changed]
        if not paths:
            return None
    return file_status(workspace, paths)


@dataclass(frozen=True, slots=True, kw_only=True)
class Signed:
    plan: SignPlan
    message: str  # the sign-off message
    commit: str  # "" for a dry run


def sign(
    settings: Settings, paths: list[str], waivers: list[tuple[str, str]], comment: str, dry_run: bool
) -> Signed:
    """The leader's sign-off of `paths`: planned (refusing with the reason), then committed."""
    from screen.signoff.message import format_message
    from screen.signoff.signing import plan_signoff
    from screen.signoff.signing import sign as commit_signoff
    from screen.signoff.workspace import Workspace

    workspace = Workspace(settings)
    plan = plan_signoff(workspace, paths, waivers, comment)
    commit = "" if dry_run else commit_signoff(workspace, plan)
    return Signed(plan=plan, message=format_message(plan.message), commit=commit)


def review(settings: Settings, paths: list[str]) -> Review:
    from screen.signoff.review import review as reviewed
    from screen.signoff.workspace import Workspace

    return reviewed(Workspace(settings), paths)


@dataclass(frozen=True, slots=True, kw_only=True)
class Declassified:
    plan: DeclassifyPlan
    message: str  # the declassification record
    commit: str  # "" for a dry run


def declassify(settings: Settings, path: str, reason: str, dry_run: bool) -> Declassified:
    """The principal's signed record that `path` is public now (解密)."""
    from screen.signoff.declassify import declassify as commit_record
    from screen.signoff.declassify import plan_declassification
    from screen.signoff.message import format_declassification
    from screen.signoff.workspace import Workspace

    workspace = Workspace(settings)
    today = datetime.datetime.now(tz=datetime.UTC).date()
    plan = plan_declassification(workspace, path, reason, today)
    commit = "" if dry_run else commit_record(workspace, plan)
    message = format_declassification(plan.record)
    return Declassified(plan=plan, message=message, commit=commit)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignerAdded:
    id: str
    name: str
    role: str
    fingerprint: str
    new_key: str  # the private key made, "" when a key was given
    configured: bool  # whether this repository's git now signs with it


def signer_add(
    root: Path,
    *,
    identifier: str,
    name: str,
    email: str,
    role: str,
    key: str | None,
    new_key: Path | None,
    passphrase: bool,
) -> SignerAdded:
    """`baomi signer add`: a new entry in rules/signers.yml (and, for a key made here, git's
    signing configuration of this repository)."""
    from screen.signoff.onboarding import add_signer
    from screen.vcs import Repository

    repo = Repository(root)
    added = add_signer(
        repo.root,
        identifier=identifier,
        name=name,
        email=email,
        role=role,
        key=key,
        new_key=new_key,
        passphrase=passphrase,
    )
    if added.new_key is not None:
        repo.set_config("gpg.format", "ssh")
        repo.set_config("user.signingkey", str(added.new_key.expanduser().resolve()) + ".pub")
    return SignerAdded(
        id=added.id,
        name=added.name,
        role=added.role,
        fingerprint=added.fingerprint,
        new_key=str(added.new_key or ""),
        configured=added.new_key is not None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SignerList:
    signers: tuple[tuple[str, str, str, str, str, str], ...]  # id, name, roles, email, keys, validity
    requires: tuple[tuple[str, str], ...]  # what must be signed, by which roles


def signers_in_force(settings: Settings) -> SignerList:
    """`baomi signer list`: each signer in force at the trust ref, and who must sign what."""
    from screen.i18n import listed
    from screen.signoff.workspace import Workspace

    trust = Workspace(settings).trust
    policy = trust.policy

    def titled(role: str) -> str:
        """The role as people call it, with the id to type when that differs: 主要领导（principal）."""
        title = policy.title(role)
        return role if title == role else _("{title} ({role})").format(title=title, role=role)

    rows = []
    for signer in trust.signers.signers:
        roles = listed(titled(r) for r in sorted(signer.roles)) or _("drafter (cannot sign)")
        valid = (
            _("signing right revoked")
            if signer.revoked
            else (
                _("until {date}").format(date=signer.valid_until) if signer.valid_until else _("no end date")
            )
        )
        keys = " ".join(sorted(signer.fingerprints))
        rows.append((signer.id, signer.name, roles, ", ".join(signer.emails), keys, valid))
    kinds = (
        (_("every published file"), policy.default),
        (_("important pages (in addition)"), policy.important),
        (_("site configuration (mkdocs.yml and theme; in addition)"), policy.config),
        (_("rules (every file under rules/)"), policy.rules),
    )
    requires = tuple((kind, policy.names(roles) or "—") for kind, roles in kinds)
    return SignerList(signers=tuple(rows), requires=requires)


@dataclass(frozen=True, slots=True, kw_only=True)
class Revoked:
    plan: RevokePlan
    message: str  # the revocation record (撤稿)
    commit: str  # "" for a dry run


def revoke(settings: Settings, path: str, reason: str, dry_run: bool) -> Revoked:
    """A leader's sealed record that `path` is taken down at the next publish (撤稿)."""
    from screen.signoff.message import format_revocation
    from screen.signoff.revocation import plan_revocation
    from screen.signoff.revocation import revoke as commit_record
    from screen.signoff.workspace import Workspace

    workspace = Workspace(settings)
    plan = plan_revocation(workspace, path, reason)
    commit = "" if dry_run else commit_record(workspace, plan)
    return Revoked(plan=plan, message=format_revocation(plan.record), commit=commit)


# --- audits -----------------------------------------------------------------------------------


def history(settings: Settings, since: str | None) -> HistoryRun:
    from screen.audit.history import audit
    from screen.signoff.workspace import Workspace

    return audit(Workspace(settings), since)


def report(settings: Settings, period: Period) -> Inspection:
    from screen.audit.inspection import inspect
    from screen.signoff.workspace import Workspace

    return inspect(Workspace(settings), period)


def log(settings: Settings, path: str) -> Trail:
    from screen.audit.trail import trail
    from screen.signoff.workspace import Workspace

    return trail(Workspace(settings), path)


# --- the site ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteGate:
    """What a build may publish: the state of every published file, and the workspace that
    decided it (opaque to the doors; pass it back to the functions below)."""

    files: tuple[FileStatus, ...]
    repo_root: Path
    workspace: Workspace
    built: BuiltFindings  # the findings of built files, through the findings cache


def gate_site(settings: Settings) -> SiteGate:
    from screen.signoff.status import status as file_status
    from screen.signoff.workspace import Workspace

    workspace = Workspace(settings)
    files = file_status(workspace, []).files
    built = BuiltFindings(workspace.engine, settings.fingerprint_key, settings.cache_dir)
    return SiteGate(files=files, repo_root=workspace.repo.root, workspace=workspace, built=built)


def screen_built(gate: SiteGate, name: str, data: bytes) -> tuple[Finding, ...]:
    """Findings of a built file (a rendered page, the search index), read as `name`; from the
    findings cache when these bytes were screened as `name` before with the same rules."""
    return gate.built.screen(name, data)


def audited_page(gate: SiteGate, name: str, data: bytes) -> AuditedPage | None:
    """What an earlier audit found in these bytes of the built page `name` with the same rules."""
    found = gate.built.recall("audit", name, data, AuditedPage)
    return found if found is not None and all(isinstance(f, Finding) for f in found.findings) else None


def remember_audit(gate: SiteGate, name: str, data: bytes, page: AuditedPage) -> None:
    gate.built.remember("audit", name, data, page)


def audit_pages(
    gate: SiteGate,
    pages: list[tuple[str, Path, bytes | None]],
    load: Callable[[Path, bytes | None], bytes],
    reduce: Callable[[bytes, set[bytes]], tuple[bytes, set[bytes], set[bytes]]],
) -> list[AuditedPage]:
    """Built pages (name, file, what `load` leaves out), each without the blocks `reduce` finds
    repeated and the rest screened, on all cores (`screening.screen_reduced`); each result
    remembered by the page's bytes."""
    workspace = gate.workspace
    found = screen_reduced(
        workspace.engine, workspace.settings.fingerprint_key, pages, load, reduce, workspace.settings.jobs
    )
    for (name, path, cut), page in zip(pages, found, strict=True):
        remember_audit(gate, name, load(path, cut), page)
    return found


def loaded_resources(gate: SiteGate, kind: str, data: bytes, site_url: str | None) -> list[str]:
    """`outside_resources`, remembered by the file's bytes and the site's address."""
    name = f"{kind} {site_url or ''}"
    found = gate.built.recall("outside", name, data, tuple)
    if found is None or not all(isinstance(line, str) for line in found):
        found = tuple(outside_resources(kind, data, site_url))
        gate.built.remember("outside", name, data, found)
    return list(found)


def remember_built(gate: SiteGate) -> None:
    """Write the findings of built files screened since the last call to the findings cache."""
    gate.built.flush()


def outside_resources(kind: str, data: bytes, site_url: str | None) -> list[str]:
    """What a built file of `kind` (html, css, svg) loads from another origin than `site_url`'s,
    one line each: where in the file, the URL's host."""
    from screen.source.resources import outside, own_origin

    text = data.decode("utf-8", errors="replace")
    return [
        _("{context} from {host}").format(context=o.context, host=o.host)
        for o in outside(kind, text, own_origin(site_url))
    ]


def screen_built_name(gate: SiteGate, name: str) -> tuple[Finding, ...]:
    """Findings in the name of a built file or folder (its URL)."""
    workspace = gate.workspace
    return workspace.engine.screen_name(name, workspace.settings.fingerprint_key)


def config_file(root: Path) -> Path:
    """The MkDocs configuration file of the portal at `root` (`mkdocs.yml`, else `mkdocs.yaml`)."""
    from screen.mkdocs_config import config_file as found

    path = found(root)
    if path is None:
        raise UsageError(_("no mkdocs.yml in {root}: run baomi in the portal's root").format(root=root))
    return path


def gate_before_load(root: Path) -> tuple[SiteGate | None, list[str], dict[str, LivePage]]:
    """The site's gate, computed from the configuration read as data, and what stops MkDocs from
    loading that configuration: a file of its closure (the configuration, what it inherits, its
    hooks) that is not cleared, or no `baomi` plugin. MkDocs builds Python objects from its tags
    and imports the hooks while it loads; nothing of an uncleared closure may run."""
    from screen.mkdocs_config import read_closure
    from screen.settings import DEFAULT_TRUST_REF, load_settings

    values = read_closure(root).values
    options = _baomi_options(values.get("plugins"))
    if options is None:
        return (
            None,
            [
                _("{file} does not enable the baomi plugin; add `- baomi` under plugins").format(
                    file=config_file(root).name
                )
            ],
            {},
        )
    rules = options.get("rules")
    trust_ref = options.get("trust_ref")
    settings = load_settings(
        root,
        rules=rules if isinstance(rules, str) else None,
        jobs=None,  # all cores: the gate screens every published file before the build
        trust_ref=trust_ref if isinstance(trust_ref, str) else DEFAULT_TRUST_REF,
    )
    gate = gate_site(settings)
    closure = {*read_portal(root).configuration(), config_file(root).name}
    waiting = [s.path for s in gate.files if not s.publishable and _configuration(gate, s.path)]
    kept, down = kept_versions(gate, waiting)
    problems = [
        _("{path}: {state}: {reasons}").format(
            path=state.path,
            state=state_label(state.state),
            reasons=_("; ").join(state.reasons + ((down[state.path],) if state.path in down else ())),
        )
        for state in gate.files
        if state.path in closure and not state.publishable and state.path not in kept
    ]
    return gate, problems, kept


def _configuration(gate: SiteGate, path: str) -> bool:
    """Whether MkDocs reads `path` as configuration: the closure (configuration files and hooks)
    and the theme overrides, which a build may take in their last cleared version."""
    portal = gate.workspace.portal
    if path in portal.configuration() or path == config_file(portal.root).name:
        return True
    theme = portal.theme_dir
    return theme is not None and (portal.root / path).absolute().is_relative_to(theme.absolute())


def configuration_files(gate: SiteGate, kept: dict[str, LivePage]) -> dict[str, bytes]:
    """The configuration a build loads (closure and theme overrides), root-relative path →
    bytes: each publishable file as it is, each waiting one in its last cleared version; a file
    neither is left out (the plugin then stops the build, naming it)."""
    root = gate.repo_root
    files = {}
    for state in gate.files:
        if not _configuration(gate, state.path):
            continue
        if state.path in kept:
            files[state.path] = kept[state.path].data
        elif state.publishable:
            files[state.path] = (root / state.path).read_bytes()
    return files


def layout_changes(root: Path, copy: Path) -> list[str]:
    """How the portal's layout (docs, theme overrides, hooks, snippets, inherited files) read from
    the configuration in `copy` differs from the working one at `root`: a build from the cleared
    configuration must publish the files the gate judged."""
    from screen.mkdocs_config import read_closure

    working, cleared = read_portal(root), read_portal(copy)

    def shape(portal: Portal, base: Path) -> dict[str, object]:
        def rel(path: Path | None) -> str | None:
            return None if path is None else path.absolute().relative_to(base.absolute()).as_posix()

        return {
            "docs_dir": rel(portal.docs_dir),
            "custom_dir": rel(portal.theme_dir),
            "INHERIT": sorted(str(rel(p)) for p in portal.config_files),
            "hooks": sorted(str(rel(p)) for p in portal.hook_files),
            "snippets": sorted(str(rel(p)) for p in portal.snippet_dirs),
            "extra_templates": sorted(str(rel(p)) for p in portal.template_files),
            "plugins: baomi": _baomi_options(read_closure(base).values.get("plugins")),
        }

    now, then = shape(working, root), shape(cleared, copy)
    return [
        _(
            "{file}: its new version changes `{option}`, so the version cleared before cannot be "
            "built in its place; sign the new version first"
        ).format(file=config_file(root).name, option=option)
        for option in now
        if now[option] != then[option]
    ]


def _baomi_options(plugins: object) -> dict[str, object] | None:
    """The options of the `baomi` plugin in a `plugins` value read as data, or None without it."""
    if isinstance(plugins, dict):
        entries: list[object] = [dict([pair]) for pair in plugins.items()]
    else:
        entries = list(plugins) if isinstance(plugins, list) else []
    for entry in entries:
        pairs: list[tuple[object, object]] = list(entry.items()) if isinstance(entry, dict) else [(entry, {})]
        for name, options in pairs:
            if name == "baomi":
                return options if isinstance(options, dict) else {}
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class LivePage:
    """The last cleared version of a page whose new version waits: what the site keeps."""

    data: bytes
    since: str  # the sign-off commit that cleared these bytes
    waiting: str  # why the new version is not published
    status: FileStatus  # the gate's decision on these bytes today (cleared), for the footer


def kept_versions(gate: SiteGate, paths: list[str]) -> tuple[dict[str, LivePage], dict[str, str]]:
    """Of `paths` (published files not publishable now): those whose last cleared version the
    site keeps, and why the others are not kept (when they ever were cleared)."""
    from screen.signoff.live import Live, live_version

    live: dict[str, LivePage] = {}
    down: dict[str, str] = {}
    states = {f.path: f for f in gate.files}
    for path in paths:
        found = live_version(gate.workspace, states[path])
        if isinstance(found, Live):
            live[path] = LivePage(
                data=found.data, since=found.since, waiting=found.waiting, status=found.status
            )
        elif found is not None:
            down[path] = found.why
    return live, down


def renamed_pages(gate: SiteGate, folder: str) -> dict[str, LivePage]:
    """Pages under `folder` (repository-relative, ending in /) renamed to a path that waits for
    its sign-off: the old path keeps its last cleared version, judged today."""
    from screen.signoff.live import renamed_versions

    return {
        path: LivePage(data=kept.data, since=kept.since, waiting=kept.waiting, status=kept.status)
        for path, kept in renamed_versions(gate.workspace, gate.files, folder).items()
    }


def page_title(name: str, data: bytes) -> str | None:
    """A page's title as its reader sees it: front matter `title:`, else its first `# ` heading."""
    import re

    from screen.source.frontmatter import front_matter_values

    text = data.decode("utf-8", "replace")
    title = front_matter_values(name, text).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    heading = re.search(r"^#[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)
    return heading.group(1).strip() if heading else None


def pending_findings(gate: SiteGate, source: Path) -> list[Finding]:
    """The findings of a pending page, for the preview's marks."""
    workspace = gate.workspace
    target = next(t for t in workspace.targets if t.path.resolve() == source.resolve())
    findings, _errors = workspace.screen([target])
    return findings
