"""A redacted Markdown report, fit for a pull-request comment or a CI step summary."""

from __future__ import annotations

from screen.model import Level
from screen.report.cells import markdown_cell
from screen.report.view import ReportView

MAX_ROWS = 200  # keeps a comment well under GitHub's 65,536-character limit
_BADGE = {
    Level.BLOCK: "⛔ 阻断 block",
    Level.REVIEW: "⚠️ 复核 review",
    Level.INFO: "ℹ️ 提示 info",
}


def format_markdown(view: ReportView) -> str:
    result = view.result
    counts = view.counts()
    blocked = result.blocked(view.fail_on)
    title = "⛔ 保密审查未通过 (blocked)" if blocked else "✅ 保密审查通过 (clean)"
    if result.errors:
        title = "⛔ 部分文件无法审查 (files could not be screened)"
    lines = [
        f"### Baomi 保密审查: {title}",
        "",
        f"{result.files_scanned} file(s) screened · "
        + " · ".join(f"{counts.get(level, 0)} {level.value}" for level in Level)
        + f" · rules `{result.rules_fingerprint[:19]}…`",
        "",
    ]
    if result.findings:
        lines += [
            "| 级别 level | 位置 location | 规则 rule | 说明 message | 摘录 excerpt | fingerprint |",
            "|---|---|---|---|---|---|",
        ]
        for finding in result.findings[:MAX_ROWS]:
            lines.append(
                f"| {_BADGE[finding.level]} | `{markdown_cell(finding.path)}:{finding.line}:{finding.column}`"
                + (f" ({markdown_cell(finding.location)})" if finding.location else "")
                + " "
                f"| `{finding.rule}` | {markdown_cell(finding.message)} "
                f"| {markdown_cell(view.shown(finding))} "
                f"| `{finding.fingerprint[:12]}` |"
            )
        if len(result.findings) > MAX_ROWS:
            lines.append(f"\n…and {len(result.findings) - MAX_ROWS} more; run `baomi check` locally for all.")
    for error in result.errors:
        lines.append(f"- **{markdown_cell(error.path)}**: {markdown_cell(error.message)}")
    if blocked:
        lines += [
            "",
            "审核人：请在本地运行 `baomi check --show-matches` 查看未脱敏的上下文。",
            "Reviewers: run `baomi check --show-matches` locally for unredacted context.",
        ]
    return "\n".join(lines) + "\n"
