"""One exception root; each subclass carries the exit code of docs/contracts.md."""

from __future__ import annotations

from screen.i18n import _

# Exit codes, everywhere (docs/contracts.md): clean · blocked · usage, rule, config or input error ·
# internal error · interrupted.
EXIT_CLEAN, EXIT_BLOCKED, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class ScreenError(Exception):
    """Root of every error Baomi raises on purpose. Messages say what is wrong and what to do."""

    exit_code = EXIT_INTERNAL


class UsageError(ScreenError):
    """Bad command line or settings (exit 2)."""

    exit_code = EXIT_INPUT


class InputError(ScreenError):
    """A file that cannot be screened: undecodable, unreadable, malformed, too large (exit 2)."""

    exit_code = EXIT_INPUT

    def __init__(self, path: str, message: str) -> None:
        super().__init__(_("{path}: {reason}").format(path=path, reason=message))
        self.path = path
        self.reason = message


class RuleError(ScreenError):
    """One or more rule files are invalid (exit 2); `problems` lists each with file and line."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class InternalError(ScreenError):
    """A bug in Baomi (exit 3)."""

    exit_code = EXIT_INTERNAL
