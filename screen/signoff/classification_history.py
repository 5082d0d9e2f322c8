"""What the history says about a page's classification: the commits whose version of it was
classified, and the verified declassification records (解密) that make a public version of a
once-classified page publishable again."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from screen.classification import Classification, classification_of
from screen.errors import InputError
from screen.i18n import _
from screen.model import blob_id
from screen.signoff.ledger import Reachable
from screen.signoff.message import DECLASSIFIED, declassification_payload, parse_declassification
from screen.signoff.trust import Trust, judge_signature, sealed_here
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


def _top(path: str) -> str:
    """The top folder of a path (`content` of `content/news/a.md`): a page may have been
    classified anywhere under it, and renamed since."""
    return path.split("/", 1)[0]


class ClassificationHistory:
    """Read once per command, from the history of `head`, with the trust in force."""

    def __init__(
        self, *, repo: Repository, head: str, trust: Trust, pages: list[str], reachable: Reachable
    ) -> None:
        self.repo, self.head, self.trust, self.pages = repo, head, trust, pages
        self._reachable = reachable

    @cached_property
    def declassified(self) -> dict[str, list[str]]:
        """For each page, the commits of the verified declassification records (解密) of it: made
        by a trusted signer holding a role that signs the rules (the principal), whose commit
        brought exactly the public version the record names."""
        found: dict[str, list[str]] = {}
        for commit in self.repo.log(self.head, self.trust.allowed, grep=f"{DECLASSIFIED}:"):
            record = parse_declassification(commit.message)
            if record is None:
                continue
            signer, _ = judge_signature(commit, self.trust.signers)
            if signer is None or not signer.may & set(self.trust.policy.rules):
                continue
            sealed = declassification_payload(record)
            if sealed_here(commit, record.parent, record.seal, sealed, "declassification"):
                continue  # a copy, or a drafter's message the principal's git signed
            data = self.repo.show(commit.sha, record.path)
            if data is not None and blob_id(data) == record.blob:
                found.setdefault(record.path, []).append(commit.sha)
        return found

    @cached_property
    def _sources(self) -> dict[str, set[str]]:
        """For each path, the paths git's rename and copy detection says its content came from."""
        sources: dict[str, set[str]] = {}
        if self.pages:
            for _, old, new in self.repo.renames(self.head, sorted({_top(p) for p in self.pages})):
                sources.setdefault(new, set()).add(old)
        return sources

    def lineage(self, path: str) -> set[str]:
        """`path` and every path its content was renamed or copied from, transitively."""
        seen, todo = {path}, [path]
        while todo:
            for old in self._sources.get(todo.pop(), ()):
                if old not in seen:
                    seen.add(old)
                    todo.append(old)
        return seen

    def last_classified(self, path: str) -> Classification | None:
        """The record of the newest classified version in `path`'s lineage, if any."""
        found = [(sha, p) for p in self.lineage(path) for sha in self.classified_in.get(p, [])[:1]]

        def reaches(version: tuple[str, str]) -> int:  # the newest reaches all the others
            return sum(other in self._reachable(version[0]) for other, _ in found)

        for sha, where in sorted(found, key=reaches, reverse=True):
            data = self.repo.show(sha, where)
            try:
                record = classification_of_page(where, data) if data is not None else None
            except InputError:
                record = None
            return record if record is not None else Classification(problems=(_("unreadable"),))
        return None

    def undeclassified(self, path: str, blob: str = "") -> str:
        """Why a public file whose content was classified before is still withheld ("" if it is
        not): every classified version of it, under this path or any it was renamed or copied
        from, must be followed by the principal's declassification record of one of those paths;
        and bytes that were ever recorded classified, anywhere, are never public."""
        if blob and blob in self.classified_blobs:
            where, sha = self.classified_blobs[blob]
            return _(
                "these exact bytes were recorded classified as {path} in {commit}: classified "
                "information is not made public, whatever the file is called now"
            ).format(path=where, commit=sha[:10])
        lineage = self.lineage(path)
        records = [sha for p in lineage for sha in self.declassified.get(p, [])]
        for earlier in sorted(lineage):
            for classified in self.classified_in.get(earlier, []):
                if any(classified in self._reachable(sha) for sha in records):
                    continue
                if earlier == path:
                    return _(
                        "it was classified in {commit} and no declassification record of the "
                        "principal follows: changing the record to 公开 is not declassifying it; the "
                        "principal runs `baomi declassify {path} --reason '…'`"
                    ).format(commit=classified[:10], path=path)
                return _(
                    "it was classified as {earlier} (renamed or copied since) in {commit} and no "
                    "declassification record of the principal follows: changing the record to 公开 "
                    "is not declassifying it; the principal runs `baomi declassify {path} --reason '…'`"
                ).format(earlier=earlier, commit=classified[:10], path=path)
        return ""

    @cached_property
    def classified_in(self) -> dict[str, list[str]]:
        """For each page that was ever recorded as anything but 公开, the commits (newest first)
        whose version of it was."""
        return self._classified[0]

    @cached_property
    def classified_blobs(self) -> dict[str, tuple[str, str]]:
        """Every blob that was ever recorded classified: where and in which commit (the newest)."""
        return self._classified[1]

    @cached_property
    def _classified(self) -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
        found: dict[str, list[str]] = {}
        blobs: dict[str, tuple[str, str]] = {}
        if not self.pages:
            return found, blobs
        pattern = "^[[:space:]]*classification[[:space:]]*:"
        for sha, path in self.repo.touching(self.head, pattern, sorted({_top(p) for p in self.pages})):
            old = self.repo.show(sha, path)
            try:
                record = classification_of_page(path, old) if old is not None else None
            except InputError:  # an old version whose record cannot be read: assume it was classified
                record = Classification(problems=(_("unreadable"),))
            if record is not None and not record.public:
                found.setdefault(path, []).append(sha)
                if old is not None:
                    blobs.setdefault(blob_id(old), (path, sha))
        return found, blobs
