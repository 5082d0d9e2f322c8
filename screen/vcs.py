"""Everything Baomi asks of git, through GitPython (the only module that imports it).

Signatures are verified by git itself (`%G?`, `%GF`) against an allowed-signers file written
from signer keys the caller chose (the trust ref's, never the change's)."""

from __future__ import annotations

import codecs
import datetime
import pickle
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import git

from screen import sshsig
from screen.commit_cache import CommitCache
from screen.errors import ScreenError, UsageError
from screen.i18n import N_, _
from screen.model import Occurrence


class GitError(ScreenError):
    """A repository state Baomi cannot verify (exit 2): no repository, a shallow clone, a
    missing ref."""

    exit_code = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committed: datetime.datetime
    signature: str  # git's %G?: G good, B bad, U unknown key, N none, E cannot check, …
    key: str  # %GF: the signing key's fingerprint (SHA256:…), empty if unsigned
    message: str
    # files the commit changed; for a merge, those it changed itself (different from every parent:
    # an edit made while merging has an author too)
    paths: tuple[str, ...]


# Every change that leaves a path with new content: added, copied, modified, renamed, type-changed.
_CHANGED = "ACMRT"
_FILE_MODES = frozenset({"100644", "100755"})  # regular files; 120000 is a symlink, 160000 a submodule


class Repository:
    def __init__(self, path: Path, cache: Path | None = None) -> None:
        try:
            self._repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(
                _("{path} is not inside a git repository; sign-offs live in git history").format(path=path)
            ) from None
        # Replace objects (`git replace`, refs/replace/*) let anyone with a clone show another
        # history than the one the commits record, and hide a commit from the author check:
        # every git call reads the recorded objects only.
        self._repo.git.update_environment(GIT_NO_REPLACE_OBJECTS="1")
        self.root = Path(self._repo.working_tree_dir or path)
        self._records: dict[str, Commit] = {}
        self._cache = CommitCache(cache) if cache is not None else None
        if self._git("rev-parse", "--is-shallow-repository") == "true":
            raise GitError(
                _(
                    "this is a shallow clone: sign-offs in the missing history cannot be verified; "
                    "fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in CI)"
                )
            )
        grafts = Path(self._git("rev-parse", "--path-format=absolute", "--git-path", "info/grafts"))
        if grafts.exists():
            raise GitError(
                _(
                    "{path} rewrites which commits are parents of which (grafts): the history cannot "
                    "be verified; delete it (`git replace --convert-graft-file` would only hide the "
                    "same rewrite) and fetch the full history"
                ).format(path=grafts)
            )

    def _git(self, *args: str, allowed_signers: Path | None = None) -> str:
        # core.quotePath=false: file names as they are (通知.md), not octal escapes; the few git
        # still quotes (quotes, backslashes, control characters) are unquoted by `_path`
        options = ["--no-replace-objects", "-c", "core.quotePath=false"]
        if allowed_signers:
            options += ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"]
        try:
            return str(self._repo.git.execute(["git", *options, *args], strip_newline_in_stdout=True))
        except git.GitCommandError as error:
            raise GitError(
                _("git {command} failed: {error}").format(
                    command=" ".join(args[:2]), error=str(error.stderr).strip()
                )
            ) from None

    def resolve(self, ref: str) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") or None
        except GitError:
            return None

    def require(self, ref: str, what: str) -> str:
        """The commit `ref` names; `what` says what it is (a name marked with `N_`)."""
        sha = self.resolve(ref)
        if sha is None and self.resolve("HEAD") is None:
            raise GitError(
                _("this repository has no commit yet: commit the portal first (git add -A && git commit)")
            )
        if sha is None:
            raise GitError(
                _(
                    "{what} '{ref}' does not exist here; fetch it (e.g. `git fetch origin {ref}`) "
                    "or name another with --trust-ref"
                ).format(what=_(what), ref=ref)
            )
        return sha

    def show(self, rev: str, path: str) -> bytes | None:
        """The bytes of `path` at `rev`, or None if it does not exist there."""
        try:
            blob = self._repo.commit(rev).tree / path
        except KeyError:
            return None
        data: bytes = blob.data_stream.read()
        return data

    def tree_files(self, rev: str, folder: str) -> dict[str, bytes]:
        """Every file under `folder` at `rev`, by repository-relative path."""
        try:
            tree = self._repo.commit(rev).tree / folder
        except KeyError:
            return {}
        files: dict[str, bytes] = {}
        for item in tree.traverse():
            if isinstance(item, git.Blob):
                files[str(item.path)] = item.data_stream.read()
        return files

    def blob(self, sha: str) -> bytes | None:
        """The bytes of the blob `sha`, or None if this repository does not have it."""
        try:
            data: bytes = self._repo.odb.stream(bytes.fromhex(sha)).read()
        except ValueError:
            return None
        return data

    def set_config(self, key: str, value: str) -> None:
        """Set a repository-local git setting (`git config KEY VALUE`)."""
        self._git("config", key, value)

    def config(self, key: str) -> str | None:
        try:
            return self._git("config", "--get", key) or None
        except GitError:
            return None

    @contextmanager
    def _allowed(self, allowed_signers: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="baomi-") as directory:
            path = Path(directory) / "allowed_signers"
            path.write_text(allowed_signers or "# no signers\n", encoding="utf-8")
            yield path

    def log(self, rev_range: str, allowed_signers: str, *paths: str, grep: str = "") -> list[Commit]:
        """Commits of `rev_range` (newest first), with signature status checked against
        `allowed_signers`; only those touching `paths` and matching `grep`, if given. Git selects
        them (no signature is checked for that); each commit's record is read, and its signature
        verified, once per repository and cache (`commits`)."""
        # --topo-order: never a parent before its children, whatever dates committers claim (the
        # trust chain replays changes in this order)
        args = ["log", "--format=%H", "--topo-order", rev_range]
        if grep:
            args[1:1] = [f"--grep={grep}", "--fixed-strings"]
        shas = self._git(*args, "--", *paths).split()
        records = self.commits(shas)
        keys = _fingerprints(allowed_signers)
        return [_judged_by(records[sha], keys) for sha in shas]

    @property
    def seal_store(self) -> CommitCache | None:
        """Where verified seals are remembered (the commit cache), if anywhere."""
        return self._cache

    def commits(self, shas: list[str]) -> dict[str, Commit]:
        """The records of `shas`: read from memory, then the commit cache, then git (the
        signature verified by git against no allowed signer: `U` for one that verifies)."""
        missing = [sha for sha in dict.fromkeys(shas) if sha not in self._records]
        if missing and self._cache is not None:
            for sha, value in self._cache.get(missing).items():
                record = _unpickle(value)
                if record is not None and record.sha == sha:
                    self._records[sha] = record
            missing = [sha for sha in missing if sha not in self._records]
        read: dict[str, Commit] = {}
        for start in range(0, len(missing), 1000):
            read.update((c.sha, c) for c in self._read(missing[start : start + 1000]))
        if len(read) != len(missing):
            count = len(missing) - len(read)
            raise GitError(_("git log did not return {count} of the commits asked for").format(count=count))
        self._records.update(read)
        if read and self._cache is not None:
            self._cache.put(
                {sha: pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for sha, c in read.items()}
            )
        return {sha: self._records[sha] for sha in shas}

    def _read(self, shas: list[str]) -> list[Commit]:
        fields = "%H", "%P", "%an", "%ae", "%ct", "%G?", "%GF", "%B"
        # Separators made fresh for each call: a commit message or author name is anyone's to
        # write, and one that contained a fixed separator could forge a whole record (with %G? G).
        token = secrets.token_hex(16)
        record, field = f"\x1e{token}\x1e", f"\x1f{token}\x1f"
        fmt = record + field.join(fields) + field
        args = ["log", "--no-walk=unsorted", f"--format={fmt}", "--name-only", "--no-renames"]
        args += ["--diff-merges=dense-combined", *shas]
        with self._allowed("") as allowed:
            output = self._git(*args, "--", allowed_signers=allowed)
        return [_commit(text, field) for text in output.split(record) if text.strip()]

    def introduced(self, revisions: list[str], paths: list[str]) -> tuple[list[Occurrence], int]:
        """Every version of a file under `paths` that a commit of `revisions` introduced, oldest
        first, each (path, blob) once: the commit that first added those bytes there. Merges count
        with what they bring onto their first parent (an edit made while merging is a version
        too). Also how many commits were read. Symlinks and submodules are not file versions."""
        token = secrets.token_hex(16)
        args = ["log", f"--format=\x1e{token}%H %ct", "--raw", "--no-abbrev", "--no-renames"]
        # --full-history: a side branch that added a leak and took it out again leaves its merge
        # TREESAME to the first parent, and git's default simplification would skip the branch
        args += ["--full-history", "--diff-merges=first-parent", "--reverse", "--topo-order", "-z"]
        args += revisions
        output = self._git(*args, "--", *paths)
        seen: set[tuple[str, str]] = set()
        found: list[Occurrence] = []
        commits = 0
        for record in output.split(f"\x1e{token}")[1:]:
            commits += 1
            header, *fields = record.split("\0")
            sha, when = header.split()
            committed = datetime.datetime.fromtimestamp(int(when), tz=datetime.UTC)
            for meta, path in zip(fields[0::2], fields[1::2], strict=False):
                _, mode, _, blob, _ = meta.strip().split(" ", 4)
                if mode not in _FILE_MODES or (path, blob) in seen:
                    continue  # a deletion, a symlink, a submodule, or a version met before
                seen.add((path, blob))
                found.append(Occurrence(commit=sha, committed=committed, path=path, blob=blob))
        return found, commits

    def touching(self, rev: str, pattern: str, paths: list[str]) -> list[tuple[str, str]]:
        """(commit, path) of every change in the history of `rev` whose diff adds or removes a line
        matching the regex `pattern` (git log -G), newest first, under `paths`."""
        token = secrets.token_hex(16)
        output = self._git(
            "log", f"-G{pattern}", "--full-history", "--no-renames", "--name-only",
            f"--format=\x1e{token}%H", "-z", rev, "--", *paths,
        )  # fmt: skip
        found = []
        for record in output.split(f"\x1e{token}")[1:]:
            sha, *names = (part.strip("\n") for part in record.split("\0"))
            found += [(sha.strip(), name) for name in names if name]
        return found

    def deletions(self, rev: str, paths: list[str]) -> list[tuple[str, datetime.datetime, str]]:
        """(commit, committer date, path) of every deletion of a file under `paths` in the
        history of `rev`, newest first (a rename deletes its old path; merges show none of their
        own: the side branch's commit is listed)."""
        token = secrets.token_hex(16)
        output = self._git(
            "log", "--diff-filter=D", "--full-history", "--no-renames", "--name-only", "-z",
            f"--format=\x1e{token}%H %ct", rev, "--", *paths,
        )  # fmt: skip
        found = []
        for record in output.split(f"\x1e{token}")[1:]:
            header, *names = (part.strip("\n") for part in record.split("\0"))
            sha, when = header.split()
            committed = datetime.datetime.fromtimestamp(int(when), tz=datetime.UTC)
            found += [(sha, committed, name) for name in names if name]
        return found

    def renames(self, rev: str, paths: list[str]) -> list[tuple[str, str, str]]:
        """(commit, old path, new path) of every rename and copy git's detection finds (its
        default 50 % similarity) in the history of `rev` under `paths`, newest first."""
        token = secrets.token_hex(16)
        output = self._git(
            "log", "--full-history", "-M", "-C", "--diff-filter=RC", "--name-status", "-z",
            f"--format=\x1e{token}%H", rev, "--", *paths,
        )  # fmt: skip
        found = []
        for record in output.split(f"\x1e{token}")[1:]:
            sha, *fields = (part.strip("\n") for part in record.split("\0"))
            fields = [f for f in fields if f]
            at = 0
            while at + 2 < len(fields) and fields[at][:1] in ("R", "C"):
                found.append((sha.strip(), fields[at + 1], fields[at + 2]))
                at += 3
        return found

    def tree_blobs(self, rev: str, paths: list[str]) -> set[tuple[str, str]]:
        """(path, blob id) of every file under `paths` at `rev`."""
        output = self._git("ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths)
        entries = (line.split("\t", 1) for line in output.split("\0") if line)
        return {(path, meta.split()[2]) for meta, path in entries}

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self._repo.git.merge_base("--is-ancestor", ancestor, descendant)
        except git.GitCommandError:
            return False
        return True

    def dates(self, rev: str) -> dict[str, datetime.datetime]:
        """The committer date of every commit in the history of `rev`."""
        output = self._git("log", "--format=%H %ct", rev)
        return {
            sha: datetime.datetime.fromtimestamp(int(when), tz=datetime.UTC)
            for sha, when in (line.split() for line in output.splitlines())
        }

    def roots(self, rev: str) -> list[str]:
        """The parentless commits in the history of `rev` (more than one: unrelated histories)."""
        return self._git("rev-list", "--max-parents=0", rev).split()

    def reachable(self, sha: str) -> frozenset[str]:
        """Every commit reachable from `sha` (itself included)."""
        return frozenset(self._git("rev-list", sha).split())

    def dirty(self, paths: list[str]) -> list[str]:
        """Of `paths`, those whose working-tree or staged bytes differ from HEAD."""
        output = self._git("status", "--porcelain", "--untracked-files=all", "--", *paths)
        return [line[3:] for line in output.splitlines() if line.strip()]

    def staged(self) -> dict[str, bytes]:
        """Files added, copied, modified, renamed or changed in type (a symlink that became a
        file) in the index, with their staged bytes."""
        names = self._git("diff", "--cached", "--name-only", f"--diff-filter={_CHANGED}", "-z")
        return {
            name: self._repo.git.show(f":{name}", stdout_as_string=False)
            for name in names.split("\0")
            if name
        }

    def staged_links(self) -> frozenset[str]:
        """Files staged as symbolic links (mode 120000)."""
        output = self._git(
            "diff", "--cached", "--raw", "--no-abbrev", "--no-renames", f"--diff-filter={_CHANGED}", "-z"
        )
        fields = output.split("\0")
        return frozenset(
            name
            for meta, name in zip(fields[0::2], fields[1::2], strict=False)
            if meta.split(" ")[1:2] == ["120000"]
        )

    def changed_since(self, rev: str) -> list[str]:
        """Files added, copied, modified, renamed or changed in type on this branch since it left
        `rev` (three-dot: what a pull request against `rev` changes)."""
        self.require(rev, N_("--since revision"))
        names = self._git("diff", "--name-only", f"--diff-filter={_CHANGED}", "-z", f"{rev}...HEAD")
        return [name for name in names.split("\0") if name]

    def staged_anything(self) -> bool:
        return bool(self._git("diff", "--cached", "--name-only"))

    def commit_signoff(self, message: str) -> str:
        """An empty, signed commit (signed with git's own signing configuration)."""
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as handle:
            handle.write(message)
        try:
            self._git("commit", "--allow-empty", "--gpg-sign", "--no-verify", f"--file={handle.name}")
        finally:
            Path(handle.name).unlink()
        return self._git("rev-parse", "HEAD")

    def commit_paths(self, paths: list[str], message: str) -> str:
        """A signed commit of `paths` only (signed with git's own signing configuration)."""
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as handle:
            handle.write(message)
        try:
            self._git("add", "--", *paths)
            self._git("commit", "--gpg-sign", "--no-verify", f"--file={handle.name}", "--", *paths)
        finally:
            Path(handle.name).unlink()
        return self._git("rev-parse", "HEAD")

    def user(self) -> tuple[str, str]:
        return self.config("user.name") or "", (self.config("user.email") or "").lower()


def init_repository(root: Path) -> bool:
    """`git init` at `root` unless it is the top of a repository already; whether it ran. The
    first branch is `main` (a portal's pipelines publish from it)."""
    top = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    if top.returncode == 0 and Path(top.stdout.strip()).resolve() == root.resolve():
        return False
    done = subprocess.run(
        ["git", "init", "-q", "-b", "main", str(root)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise UsageError(_("git init {path} failed: {error}").format(path=root, error=done.stderr.strip()))
    return True


def _unpickle(value: bytes) -> Commit | None:
    try:
        record = pickle.loads(value)  # noqa: S301 (our own cache, keyed by commit id)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # a damaged entry is read from git again
    return record if isinstance(record, Commit) else None


def _fingerprints(allowed_signers: str) -> frozenset[str]:
    """The key fingerprints an allowed-signers text names (`principal key-type base64 …`)."""
    found = set()
    for line in allowed_signers.splitlines():
        parts = line.split()
        for at in range(len(parts) - 1):
            fingerprint = sshsig.fingerprint(f"{parts[at]} {parts[at + 1]}")
            if fingerprint:
                found.add(fingerprint)
                break
    return frozenset(found)


def _judged_by(commit: Commit, keys: frozenset[str]) -> Commit:
    """`commit` as git reports it with an allowed-signers file of `keys`: a signature that
    verifies (U) by one of them is good (G)."""
    if commit.signature in ("G", "U") and commit.key in keys:
        return commit if commit.signature == "G" else replace(commit, signature="G")
    return commit if commit.signature != "G" else replace(commit, signature="U")


def _commit(record: str, field: str) -> Commit:
    sha, parents, name, email, when, status, key, rest = record.split(field, 7)
    message, _, names = rest.rpartition(field) if field in rest else (rest, "", "")
    return Commit(
        sha=sha.strip(),
        parents=tuple(parents.split()),
        author_name=name,
        author_email=email.lower(),
        committed=datetime.datetime.fromtimestamp(int(when), tz=datetime.UTC),
        signature=status,
        key=key,
        message=message,
        paths=tuple(_path(line) for line in names.split("\n") if line.strip()),
    )


def _path(name: str) -> str:
    """A file name as git printed it: C-quoted (`"tab\\there.md"`) when it holds a quote, a
    backslash or a control character."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    raw: bytes = codecs.escape_decode(name[1:-1].encode("utf-8"))[0]
    return raw.decode("utf-8", "surrogateescape")
