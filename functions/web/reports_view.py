"""The report as a table people read (the CSV export): every value labelled from the page's
vocabulary (web.vocabulary), every heading in the editor's language, Chinese by default."""

from __future__ import annotations

from typing import Any

from web.vocabulary import vocabulary

HEADINGS = {
    "zh": {
        "columns": ("分类", "项目", "说明", "数值"),
        "range": "统计区间",
        "from": "开始日期（北京时间）",
        "to": "结束日期（北京时间）",
        "total": "申请总数（不含被拦截的垃圾信息）",
        "by_type": "按类型",
        "by_channel": "按来源渠道",
        "by_outcome": "按处理结果",
        "undecided": "尚未决定",
        "first_response_hours": "首次回复用时（工作小时）",
        "decision_hours": "作出决定用时（工作小时）",
        "count": "样本数",
        "median": "中位数",
        "p90": "第 90 百分位",
        "overdue": "超期",
        "overdue_count": "超期申请数",
        "overdue_share": "超期占比",
        "top_articles": "申请最多的稿件",
        "screening": "自动筛查",
        "held": "拦截待核查",
        "released": "核查后放行（误拦）",
        "confirmed": "确认不予受理",
        "pending": "尚待核查",
        "false_positive_share": "误拦占比",
        "other": "其他",
    },
    "en": {
        "columns": ("Section", "Item", "Detail", "Value"),
        "range": "Range",
        "from": "From (Beijing time)",
        "to": "To (Beijing time)",
        "total": "Requests (spam held by screening left out)",
        "by_type": "By type",
        "by_channel": "By channel",
        "by_outcome": "By outcome",
        "undecided": "Not decided yet",
        "first_response_hours": "Time to first response (working hours)",
        "decision_hours": "Time to decision (working hours)",
        "count": "Requests counted",
        "median": "Median",
        "p90": "90th percentile",
        "overdue": "Overdue",
        "overdue_count": "Requests that missed a deadline",
        "overdue_share": "Share overdue",
        "top_articles": "Articles with the most requests",
        "screening": "Screening",
        "held": "Held for checking",
        "released": "Released as genuine (false positives)",
        "confirmed": "Confirmed as not to be handled",
        "pending": "Still to check",
        "false_positive_share": "Share of false positives",
        "other": "Other",
    },
}


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _number(value: Any) -> Any:
    return "" if value is None else value


def csv_rows(report: dict[str, Any], language: str) -> list[tuple[Any, ...]]:
    words = HEADINGS[language if language in HEADINGS else "zh"]
    lang = language if language in HEADINGS else "zh"
    labels = vocabulary()

    def label(kind: str, value: str) -> str:
        found = labels.get(kind, {}).get(value)
        return found[lang] if found else str(words["other"])

    rows: list[tuple[Any, ...]] = [
        tuple(words["columns"]),
        (words["range"], words["from"], "", report["from"]),
        (words["range"], words["to"], "", report["to"]),
        (words["total"], "", "", report["total"]),
    ]
    for section, kind in (("by_type", "request_type"), ("by_channel", "channel"), ("by_outcome", "outcome")):
        rows += [(words[section], label(kind, entry["key"]), "", entry["count"]) for entry in report[section]]
    rows.append((words["by_outcome"], words["undecided"], "", report["undecided"]))
    for section in ("first_response_hours", "decision_hours"):
        figures = report[section]
        rows += [(words[section], words[name], "", _number(figures[name])) for name in ("median", "p90", "count")]
    overdue = report["overdue"]
    rows.append((words["overdue"], words["overdue_count"], "", overdue["count"]))
    rows.append((words["overdue"], words["overdue_share"], "", _percent(overdue["share"])))
    rows += [
        (words["top_articles"], article["title"] or article["url"], article["url"], article["count"])
        for article in report["top_articles"]
    ]
    screening = report["screening"]
    rows += [
        (words["screening"], words[name], "", screening[name]) for name in ("held", "released", "confirmed", "pending")
    ]
    rows.append((words["screening"], words["false_positive_share"], "", _percent(screening["false_positive_share"])))
    return rows
