"""What the history says about a page's classification: the commits whose version of it was
classified, and the verified declassification records (解密) that make a public version of a
once-classified page publishable again."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from screen.classification import Classification, classification_of
from screen.errors import InputError
from screen.model import blob_id
from screen.signoff.message import DECLASSIFIED, parse_declassification
from screen.signoff.trust import Trust, judge_signature
from screen.source import MARKDOWN_SUFFIXES
from screen.source.frontmatter import front_matter_values
from screen.vcs import Repository


def page_front(path: str, data: bytes) -> Mapping[str, object]:
    """A page's front matter as data (read once per text: `front_matter_values` remembers)."""
    return front_matter_values(path, data.decode("utf-8", "replace"))


def classification_of_page(path: str, data: bytes) -> Classification | None:
    """A Markdown page's classification record (None for other files)."""
    if not path.lower().endswith(tuple(MARKDOWN_SUFFIXES)):
        return None
    return classification_of(page_front(path, data))


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else path


class ClassificationHistory:
    """Read once per command, from the history of `head`, with the trust in force."""

    def __init__(self, *, repo: Repository, head: str, trust: Trust, pages: list[str]) -> None:
        self.repo, self.head, self.trust, self.pages = repo, head, trust, pages
        self._reach: dict[str, frozenset[str]] = {}

    def _reachable(self, sha: str) -> frozenset[str]:
        if sha not in self._reach:
            self._reach[sha] = self.repo.reachable(sha)
        return self._reach[sha]

    @cached_property
    def declassified(self) -> dict[str, list[str]]:
        """For each page, the commits of the verified declassification records (解密) of it: made
        by a trusted signer holding a role that signs the rules (the principal), whose commit
        brought exactly the public version the record names."""
        found: dict[str, list[str]] = {}
        for commit in self.repo.log(self.head, self.trust.allowed, grep=f"{DECLASSIFIED}:"):
            record = parse_declassification(commit.message)
            if record is None or record.path not in commit.paths:
                continue
            signer, _ = judge_signature(commit, self.trust.signers)
            if signer is None or not signer.roles & set(self.trust.policy.rules):
                continue
            data = self.repo.show(commit.sha, record.path)
            if data is not None and blob_id(data) == record.blob:
                found.setdefault(record.path, []).append(commit.sha)
        return found

    def undeclassified(self, path: str) -> str:
        """Why a public page that was classified before is still withheld ("" if it is not): its
        last classified version must be followed by the principal's declassification record."""
        classified = self.classified_in.get(path)
        if not classified:
            return ""
        if any(classified[0] in self._reachable(sha) for sha in self.declassified.get(path, [])):
            return ""
        return (
            f"it was classified in {classified[0][:10]} and no declassification record of the "
            "principal follows: changing the record to 公开 is not declassifying it; the principal "
            f"runs `baomi declassify {path} --reason '…'` on the classified version"
        )

    @cached_property
    def classified_in(self) -> dict[str, list[str]]:
        """For each page that was ever recorded as anything but 公开, the commits (newest first)
        whose version of it was."""
        found: dict[str, list[str]] = {}
        if not self.pages:
            return found
        pattern = "^[[:space:]]*classification[[:space:]]*:"
        for sha, path in self.repo.touching(self.head, pattern, sorted({_folder(p) for p in self.pages})):
            old = self.repo.show(sha, path)
            try:
                record = classification_of_page(path, old) if old is not None else None
            except InputError:  # an old version whose record cannot be read: assume it was classified
                record = Classification(problems=("unreadable",))
            if record is not None and not record.public:
                found.setdefault(path, []).append(sha)
        return found
