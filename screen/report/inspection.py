"""The self-inspection report (保密自查报告) as Markdown for a written report, JSON for other
systems and a standalone HTML page with inline SVG charts (no script, no external files)."""

from __future__ import annotations

import html
from dataclasses import asdict

from screen.audit.records import Inspection
from screen.report.cells import html_cell, markdown_cell
from screen.report.jsontext import dumps

_LEVEL = {"block": "阻断", "review": "复核", "info": "提示", "error": "无法审查"}


def _period(report: Inspection) -> str:
    since = report.period.since.isoformat() if report.period.since else "建库"
    until = report.period.until.isoformat() if report.period.until else "今"
    return f"{since} 至 {until}"


def summary(report: Inspection) -> str:
    """The one line a written report quotes: 审查发布信息N条，审查网页M个，…"""
    blocks = sum(n for _, level, n in report.findings if level == "block")
    # only what reached the history was read: a leak stopped before its commit is in no version
    found = f"检出阻断级问题{blocks}处" if blocks else "其中未检出阻断级问题"
    return (
        f"审查发布信息{report.items_reviewed}条（网页{report.pages_reviewed}个、配置与规则文件"
        f"{report.others_reviewed}个）；筛查进入版本库的稿件版本{report.versions_drafted}个，{found}；"
        f"现已发布网页{report.pages_published}个、配置与规则文件{report.others_published}个"
        f"（均经审核签发，无未豁免的阻断级问题），暂缓发布{report.held_back}个。"
    )


def _scope(report: Inspection) -> str:
    """What the report read: the period and the commit whose history it is."""
    ref = f"版本 {report.ref} 及其全部历史" if report.ref else "版本库历史"
    return f"统计期间：{_period(report)}；依据：{ref}。提交前即被拦下、未进入版本库的内容不在统计之内。"


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    if not rows:
        return ["无。"]
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(markdown_cell(v) for v in row) + " |" for row in rows),
    ]


def format_report_markdown(report: Inspection) -> str:
    median = f"{report.median_hours} 小时" if report.median_hours is not None else "无（期内无签发）"
    lines = [
        f"# 保密自查报告（{_period(report)}）",
        "",
        "## 一、总体情况",
        "",
        _scope(report),
        "",
        summary(report),
        "",
        f"从稿件提交到审核签发的中位时间：{median}。"
        f"当前因签发后改动而失效（stale）的文件：{report.stale_now} 个。",
        "",
        "## 二、检出情况（按规则）",
        "",
        *_table(("规则", "级别", "处数"), [(r, _LEVEL.get(lv, lv), n) for r, lv, n in report.findings]),
        "",
        "## 三、豁免（经签发人确认）",
        "",
        *_table(("日期", "文件", "签发人", "理由"), list(report.waivers)),
        "",
        "## 四、审核签发人员",
        "",
        *_table(("签发人", "角色", "签发文件数"), [(n, report.titled(r), c) for n, r, c in report.reviewers]),
        "",
        "## 五、无效签发",
        "",
        *_table(("日期", "提交", "原因"), list(report.broken)),
        "",
        "## 六、定密与解密",
        "",
        *_table(("日期", "文件", "变化"), list(report.classification)),
        "",
        "## 七、撤稿",
        "",
        *_table(("日期", "文件", "撤稿人", "理由"), list(report.revoked)),
        "",
        "本报告由 baomi 根据版本库历史与经验证的签发记录生成，文中不含检出内容原文。",
    ]
    return "\n".join(lines) + "\n"


def format_report_json(report: Inspection) -> str:
    document = asdict(report)
    document["period"] = {
        "since": report.period.since.isoformat() if report.period.since else None,
        "until": report.period.until.isoformat() if report.period.until else None,
    }
    document = {"schema_version": 1, "summary": summary(report), **document}
    return dumps(document)


def _bars(rows: list[tuple[str, int]], colour: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return "<p>无。</p>"
    width, height, top = 640, 22, max(n for _, n in rows) or 1
    parts = [
        f'<svg role="img" width="{width}" height="{height * len(rows) + 4}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(rows):
        y = index * height + 2
        bar = int((width - 260) * value / top)
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{html_cell(label)}</text>')
        parts.append(f'<rect x="220" y="{y + 3}" width="{bar}" height="{height - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{226 + bar}" y="{y + 15}" font-size="13">{value}</text>')
    return "".join(parts) + "</svg>"


def _html_table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    if not rows:
        return "<p>无。</p>"
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{header}</tr>{body}</table>"


def format_report_html(report: Inspection) -> str:
    by_rule = [(f"{r}（{_LEVEL.get(lv, lv)}）", n) for r, lv, n in report.findings]
    by_reviewer = [(f"{name}（{report.titled(roles)}）", n) for name, roles, n in report.reviewers]
    median = f"{report.median_hours} 小时" if report.median_hours is not None else "无"
    sections = [
        f"<h1>保密自查报告（{html.escape(_period(report))}）</h1>",
        f"<h2>一、总体情况</h2><p>{html.escape(_scope(report))}</p><p>{html.escape(summary(report))}</p>",
        f"<p>从稿件提交到审核签发的中位时间：{median}；当前失效签发的文件 {report.stale_now} 个。</p>",
        "<h2>二、检出情况（按规则）</h2>" + _bars(by_rule, "#c0392b"),
        "<h2>三、豁免</h2>" + _html_table(("日期", "文件", "签发人", "理由"), list(report.waivers)),
        "<h2>四、审核签发人员</h2>" + _bars(by_reviewer, "#2e6da4"),
        "<h2>五、无效签发</h2>" + _html_table(("日期", "提交", "原因"), list(report.broken)),
        "<h2>六、定密与解密</h2>" + _html_table(("日期", "文件", "变化"), list(report.classification)),
        "<h2>七、撤稿</h2>" + _html_table(("日期", "文件", "撤稿人", "理由"), list(report.revoked)),
    ]
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>保密自查报告</title><style>{style}</style></head><body>"
        + "".join(sections)
        + "<p><small>由 baomi 根据版本库历史与经验证的签发记录生成。</small></p></body></html>\n"
    )
