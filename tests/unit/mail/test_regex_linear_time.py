"""Every regular expression in functions/ (and the schema's `pattern`s) runs in linear time.

Mail and form text come from anyone. Python's `re` backtracks, so a pattern with nested or
overlapping quantifiers over the same characters (`\\s*\\S*.*`, `.*x.*y`, a run of `\\s{2,}` tried
from every position) turns one long line into seconds or minutes of CPU. This test finds the
patterns itself, so a new one is covered without anyone remembering to list it:

- every compiled pattern held at module level (alone, or in a dict/tuple/list) in any module
  under functions/;
- every `re.compile/search/match/...` call in functions/ whose pattern is a literal string;
- every `pattern` keyword in the request schema.

A call whose pattern is built at run time cannot be checked here, and the test says so: build such
a pattern once at module level instead.

Each pattern is run over every start position (`subn`, the worst case of `search`) over
adversarial texts of 200,000 characters: long runs of spaces, quote marks, dashes, label-like
prefixes, alternating near-matches, and runs of the pattern's own words and characters. `re` checks
for signals while it matches, so an interval timer stops a runaway pattern at the limit.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import corrigo

SIZE = 200_000
LIMIT_SECONDS = 1.0
FUNCTIONS = Path(corrigo.__file__).resolve().parents[1]
SCHEMAS = FUNCTIONS.parent / "schemas"
# The packages whose modules import without a function's environment; handlers are thin wiring
# (their regexes, if any, are still found by the source scan below).
PACKAGES = ("corrigo", "adapters", "services")
MODULES = ("observability",)
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}

# Texts an attacker would try first: every kind of run the mail and form code looks at.
GENERIC_PIECES = (
    " ", "\t", "\n", "\u3000", ">", "> ", "-", "*", ":", "：", "a", "1", "a.", "a@", "=?", "<", "[",
    "CR-", "On ", "发件人：", "From: ", "申请人：  ", "于", "☑",
)  # fmt: skip
MAX_PATTERN_WORDS = 16


def _pattern_words(pattern: str) -> list[str]:
    """Literal words and characters a pattern looks for: near-matches are built from them."""
    without_escapes = re.sub(r"\\[a-zA-Z]|\\.", " ", pattern)
    words = set(re.findall(r"[A-Za-z]{2,}|[^\x00-\x7f]{1,6}", without_escapes))
    characters = {char for char in without_escapes if not char.isspace() and char not in "()[]{}?+*^$|.\\"}
    return sorted(words | characters)[:MAX_PATTERN_WORDS]


def _filled(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def adversarial_texts(pattern: str, size: int = SIZE) -> Iterator[tuple[str, str]]:
    """(description, text of `size` characters): runs of each piece, alone and alternating with
    others; and each of the pattern's own words, a run of spaces and a letter (for `\\s*…$`)."""
    words = _pattern_words(pattern)
    for piece in dict.fromkeys([*GENERIC_PIECES, *words]):
        for partner in ("", " ") if piece in GENERIC_PIECES else ("", " ", "a", "\n"):
            description = f"{piece!r} and {partner!r} alternating" if partner else f"{piece!r} repeated"
            yield description, _filled(piece + partner, size)
    for word in words:
        yield f"{word!r}, spaces, then 'x'", (word + " " * size)[: size - 1] + "x"


# ---- finding the patterns ----------------------------------------------------------------------------


def _module_names() -> Iterator[str]:
    yield from MODULES
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        yield package_name
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            yield info.name


def _patterns_in(value: object) -> list[re.Pattern[str]]:
    """The text patterns a module-level value holds: itself, or the items of a dict, tuple, list or set."""
    items = (
        value.values()
        if isinstance(value, dict)
        else value
        if isinstance(value, (tuple, list, set, frozenset))
        else [value]
    )
    return [item for item in items if isinstance(item, re.Pattern) and isinstance(item.pattern, str)]


def module_level_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module_name in _module_names():
        module = importlib.import_module(module_name)
        for attribute, value in vars(module).items():
            held = _patterns_in(value)
            for index, pattern in enumerate(held):
                found[f"{module_name}.{attribute}" + (f"[{index}]" if len(held) > 1 else "")] = pattern
    return found


def _flags(node: ast.expr | None) -> int:
    """The value of a flags argument written as `re.I`, `re.IGNORECASE | re.MULTILINE` and the like."""
    if node is None:
        return 0
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flags(node.left) | _flags(node.right)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "re":
        return int(getattr(re, node.attr))
    raise AssertionError(f"flags the test cannot read: {ast.unparse(node)}")


def _is_re_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
        and node.func.attr in RE_FUNCTIONS
    )


# Modules whose only pattern built at run time is a schema's `pattern` value: schema_patterns() checks those.
SCHEMA_PATTERN_COMPILERS = frozenset({"corrigo/schema_check.py"})


def literal_call_patterns() -> tuple[dict[str, re.Pattern[str]], list[str]]:
    """Patterns written as literals in re.* calls anywhere in functions/, and the calls that are not."""
    found: dict[str, re.Pattern[str]] = {}
    unseen: list[str] = []
    flag_position = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2, "split": 3}
    for path in sorted(FUNCTIONS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_names = {
            target.id
            for node in tree.body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not _is_re_call(node) or not node.args:  # type: ignore[attr-defined]
                continue
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            where = f"{path.relative_to(FUNCTIONS)}:{node.lineno}"
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                position = flag_position.get(node.func.attr, 4)
                flags = keywords.get("flags") or (node.args[position] if len(node.args) > position else None)
                found[where] = re.compile(first.value, _flags(flags))
            elif node.func.attr == "compile" and _assigned_at_module_level(tree, node):
                continue  # a module-level compiled pattern: module_level_patterns() holds it
            elif isinstance(first, ast.Name) and first.id in module_names:
                continue  # re.sub(_MODULE_PATTERN, ...): the compiled pattern is module-level
            elif str(path.relative_to(FUNCTIONS)) in SCHEMA_PATTERN_COMPILERS and node.func.attr == "compile":
                continue
            else:
                unseen.append(f"{where}: re.{node.func.attr}({ast.unparse(first)}, ...)")
    return found, unseen


def _assigned_at_module_level(tree: ast.Module, call: ast.Call) -> bool:
    return any(
        isinstance(statement, (ast.Assign, ast.AnnAssign)) and any(node is call for node in ast.walk(statement.value))  # type: ignore[arg-type]
        for statement in tree.body
    )


def schema_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found[where] = re.compile(value)
                else:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    for path in sorted(SCHEMAS.glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")), path.name)
    return found


def all_patterns() -> dict[str, re.Pattern[str]]:
    """Every pattern once (a module-level re.compile is found by both searches), by where it is."""
    literal, _ = literal_call_patterns()
    unique: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for where, pattern in {**module_level_patterns(), **literal, **schema_patterns()}.items():
        unique.setdefault((pattern.pattern, pattern.flags), (where, pattern))
    return dict(unique.values())


# ---- timing --------------------------------------------------------------------------------------------


class _TooSlow(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise _TooSlow


def seconds_for(pattern: re.Pattern[str], text: str, limit: float = LIMIT_SECONDS) -> float:
    """CPU seconds to find every match in text (other work on a busy machine does not count);
    `limit` and a little when the pattern had to be stopped."""
    previous = signal.signal(signal.SIGVTALRM, _stop)
    signal.setitimer(signal.ITIMER_VIRTUAL, limit)
    started = time.process_time()
    try:
        pattern.subn("", text)  # every match, as finditer would find them, without a Python loop
    except _TooSlow:
        pass
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    return time.process_time() - started


def worst_case(pattern: re.Pattern[str], limit: float = LIMIT_SECONDS) -> tuple[float, str]:
    """The slowest adversarial text: (seconds, description), stopping at the first over the limit.

    Each text is first tried at a quarter of its length: a pattern that needs half the limit there
    would fail it on the whole text even if linear, and a quadratic one would take 16 times as long,
    which `re` (it checks for signals only at some steps) may not let the timer cut short.
    """
    worst = (0.0, "")
    quarter = SIZE // 4
    for description, text in adversarial_texts(pattern.pattern):
        seconds = seconds_for(pattern, text[:quarter], limit / 2)
        if seconds >= limit / 2:
            # At least twice the limit on the whole text, linear or not: not worth waiting for.
            return 4 * seconds, f"{description} (projected from {seconds:.2f} s on its first {quarter:,} characters)"
        seconds = seconds_for(pattern, text, limit)
        if seconds > worst[0]:
            worst = (seconds, description)
        if seconds >= limit:
            break
    return worst


# ---- the tests ---------------------------------------------------------------------------------------------

PATTERNS = all_patterns()


def test_the_patterns_are_found() -> None:
    names = " ".join(PATTERNS)
    # One from each way of finding them, so that a broken finder cannot pass by finding nothing.
    assert "corrigo.mail.quoting._ATTRIBUTION" in names  # module level
    assert "corrigo.classifier._PII_PATTERNS[3]" in names  # in a dict
    assert "observability.py:" in names  # a literal in a call
    assert "correction-request.schema.json/" in names  # the schema
    assert len(PATTERNS) > 30


def test_every_regex_call_uses_a_pattern_this_test_can_see() -> None:
    _, unseen = literal_call_patterns()
    assert not unseen, "patterns built at run time cannot be checked; compile them once at module level:\n" + "\n".join(
        unseen
    )


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_linear_time(name: str) -> None:
    pattern = PATTERNS[name]
    seconds, text = worst_case(pattern)
    assert seconds < LIMIT_SECONDS, f"{name} ({pattern.pattern!r}) took {seconds:.2f} s on {text}"


def test_a_quadratic_pattern_is_caught() -> None:
    """The harness itself: a pattern known to backtrack must fail this test's limit."""
    seconds, text = worst_case(re.compile(r"^\s*\S*.*(wrote)\s*:$"))
    assert seconds >= LIMIT_SECONDS, text
