"""The editors' vocabulary labels every value the page can show, and nothing that no longer exists.

The values are read from where they are defined: the core's enums, the screening rules and the
audit trail's actors and channels as the code writes them (read from its source), the schema's enums.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from corrigo.bulk import BulkAction, Refusal
from corrigo.comments.model import CommentStatus, PenaltyLevel, ReasonCode
from corrigo.comments.moderation import AUDIT_ACTIONS
from corrigo.deadlines import DECISION, FIRST_RESPONSE
from corrigo.lifecycle import Action, Outcome, Status
from corrigo.mail.limits import TooCostlyToRead
from corrigo.reply_templates import PLACEHOLDERS
from corrigo.schema import load_schema
from corrigo.screening import Finding, ScreeningReport, Verdict
from corrigo.urgency import DEADLINES_BY_URGENCY
from web import vocabulary as vocabulary_module
from web.vocabulary import core_vocabulary, quarantine_reason, schema_vocabulary, vocabulary

ROOT = Path(__file__).resolve().parents[3]
FUNCTIONS = ROOT / "functions"
LANGUAGES = ("zh", "en")


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(FUNCTIONS.rglob("*.py"))]


def _strings(node: ast.expr) -> set[str]:
    """The string constants an expression can be: "web", or `"web" if … else "api"`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def screening_rules() -> set[str]:
    """Every rule name screening can report: the first argument of each Finding(…) it builds."""
    tree = ast.parse((FUNCTIONS / "corrigo" / "screening.py").read_text("utf-8"))
    return {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) == Finding.__name__
        and call.args
        and isinstance(call.args[0], ast.Constant)
    }


def written_keyword(name: str) -> set[str]:
    """Constants passed as ``name=`` anywhere in the functions, and module constants named *ACTOR
    when ``name`` is actor: the audit trail's system actors and the requests' channels."""
    found: set[str] = set()
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == name:
                found |= _strings(node.value)
            if (
                name == "actor"
                and isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id.endswith("ACTOR") for t in node.targets)
            ):
                found |= _strings(node.value)
    return found


def f_string_actor_prefixes() -> set[str]:
    """`actor=f"requester:{channel}"`: the page labels the part before the colon."""
    prefixes: set[str] = set()
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "actor" and isinstance(node.value, ast.JoinedStr):
                first = node.value.values[0]
                if isinstance(first, ast.Constant):
                    prefixes.add(str(first.value).split(":")[0])
    return prefixes


EXPECTED = {
    "status": lambda: {s.value for s in Status},
    "outcome": lambda: {o.value for o in Outcome},
    "action": lambda: {a.value for a in Action},
    "verdict": lambda: {v.value for v in Verdict},
    "urgency": lambda: {str(level) for level in DEADLINES_BY_URGENCY},
    "screening_rule": screening_rules,
    "channel": lambda: written_keyword("channel"),
    "actor": lambda: written_keyword("actor") | f_string_actor_prefixes(),
    "deadline": lambda: {FIRST_RESPONSE, DECISION},
    "comment_status": lambda: {s.value for s in CommentStatus},
    "comment_reason": lambda: {r.value for r in ReasonCode},
    "penalty_level": lambda: {p.value for p in PenaltyLevel},
    "comment_action": lambda: set(AUDIT_ACTIONS),
    "bulk_action": lambda: {a.value for a in BulkAction},
    "bulk_refusal": lambda: {r.value for r in Refusal},
    "reply_placeholder": lambda: set(PLACEHOLDERS),
    "quarantine_reason": lambda: {kind for _, kind in vocabulary_module._MAIL_REASON_PREFIXES} | {"screening", "other"},
}


def test_the_code_is_read_for_values_at_all():
    # The readers above find what the code writes today (so an empty set cannot pass silently).
    assert {"honeypot", "many_links", "sender_not_authenticated"} <= screening_rules()
    assert {"web", "api", "email"} <= written_keyword("channel")
    assert {"screening", "deadline-sweep", "mail-intake", "retention", "requester"} <= EXPECTED["actor"]()


def test_the_table_has_exactly_the_sections_it_is_checked_for():
    assert set(core_vocabulary()) == set(EXPECTED)


@pytest.mark.parametrize("section", sorted(EXPECTED))
def test_every_value_has_a_label_and_every_label_a_value(section):
    labelled = set(core_vocabulary()[section])
    values = EXPECTED[section]()
    assert values - labelled == set(), f"{section}: values with no label"
    assert labelled - values == set(), f"{section}: labels of values that no longer exist"


def _assert_bilingual(table):
    for section, labels in table.items():
        for value, label in labels.items():
            assert set(label) == set(LANGUAGES), f"{section}.{value}: {label}"
            assert all(label[lang].strip() for lang in LANGUAGES), f"{section}.{value}: empty label"
            # A label is words, not the value again (the page must never show a raw value).
            assert label["zh"] != value, f"{section}.{value}"


def test_every_label_is_in_chinese_and_english():
    _assert_bilingual(core_vocabulary())
    _assert_bilingual({k: v for k, v in schema_vocabulary().items() if k != "field"})


def test_every_enum_of_the_schema_is_labelled_there_and_only_there():
    properties = load_schema()["properties"]
    for name, rules in properties.items():
        if "enum" in rules:
            assert set(rules.get("x-enum-labels", {})) == {str(v) for v in rules["enum"]}, name
            assert name not in core_vocabulary(), f"{name}: labelled in the schema; one source"
        assert set(rules.get("x-labels", {})) == set(LANGUAGES), f"{name}: the field's own label"
    assert set(vocabulary()["request_type"]) == set(properties["request_type"]["enum"])
    assert set(vocabulary()["field"]) == set(properties)


def test_the_page_asks_only_for_values_the_vocabulary_has():
    page = (FUNCTIONS / "web" / "editor" / "index.html").read_text("utf-8")
    options = re.findall(r'<option value="([^"]+)" data-v="([^"]+)"', page)
    assert len(options) >= 18
    for value, section in options:
        assert value in vocabulary()[section], (section, value)
    # No option shows a value as its text: the vocabulary fills them.
    assert not re.search(r'<option value="([^"]+)"[^>]*>\1<', page)


def test_the_config_serves_the_table_as_json():
    assert json.loads(json.dumps(vocabulary(), ensure_ascii=False)) == vocabulary()


@pytest.mark.parametrize(
    ("detail", "kind"),
    [
        (ScreeningReport(Verdict.SUSPECT, 5, (Finding("many_links", 5, "链接", "links"),)).summary("zh"), "screening"),
        (ScreeningReport(Verdict.SPAM, 10).summary("zh"), "screening"),
        ("automatic or flagged mail: Auto-Submitted: auto-replied", "automatic_mail"),
        (str(TooCostlyToRead("reading the fields", 12)), "too_costly"),
        ("could not be processed: KeyError: 'x'", "processing_failed"),
        ("a delivery report about CR-2026-ABCDEF, which does not exist", "stray_bounce"),
        ("a delivery report about no mail of ours", "stray_bounce"),
        ("no headers could be read", "unreadable"),
        ("unparseable MIME structure", "unreadable"),
        ("something new", "other"),
    ],
)
def test_quarantine_reasons_are_told_apart(detail, kind):
    assert quarantine_reason(detail) == kind
    assert kind in core_vocabulary()["quarantine_reason"]
