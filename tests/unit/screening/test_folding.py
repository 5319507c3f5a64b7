"""The fold every word list is matched through: what people write to slip past a list is caught,
and what people write ordinarily is not."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.classifier import LocalClassifier
from corrigo.schema import schema_dir
from corrigo.screening import FREE_TEXT_FIELDS, Evidence, ScreeningConfig, config_from, screen
from corrigo.textfold import fold

CONFIG = config_from({})
SAMPLES = sorted((schema_dir() / "samples" / "valid").glob("*.json"))


def sample(name: str = "correction-zh.json") -> dict:
    return json.loads((schema_dir() / "samples" / "valid" / name).read_text("utf-8"))


def banned(text: str, field: str = "reason") -> bool:
    report = screen({**sample(), field: text}, Evidence(channel="api"), CONFIG)
    return "banned_words" in report.rules


# Each way of hiding a character from a plain substring match, applied to a banned word.
HIDDEN = {
    "right-to-left override U+202E": "代开\u202e发票",
    "left-to-right mark U+200E": "cas\u200eino",
    "left-to-right isolate U+2066": "via\u2066gra",
    "combining grapheme joiner U+034F": "代\u034f开发票",
    "variation selector-16 U+FE0F": "ca\ufe0fsino",
    "variation selector-256 U+E01EF": "ca\U000e01efsino",
    "Mongolian vowel separator U+180E": "博\u180e彩",
    "Hangul filler U+3164": "代开\u3164发票",
    "Hangul half-width filler U+FFA0": "cas\uffa0ino",
    "tag characters U+E0000-U+E007F": "ca\U000e0001\U000e0073\U000e007fsino",
    "soft hyphen U+00AD": "via\u00adgra",
    "word joiner U+2060": "六合\u2060彩",
    "a space inside a Chinese word": "代开 发票",
    "punctuation inside a Chinese word": "代·开·发·票",
    "letter-spaced": "c a s i n o",
    "dotted letters": "c.a.s.i.n.o",
    "a space inside an English word": "cas ino tonight",
    "traditional characters": "代開發票",
    "traditional characters, phrase": "網絡賭博",
    "Cyrillic а in casino": "c\u0430sino",
    "Cyrillic and Greek look-alikes": "\u0441\u0430\u0455\u0456n\u03bf",
    "full-width and mathematical letters": "ｃａｓｉｎｏ 𝐯𝐢𝐚𝐠𝐫𝐚",
    "a plural": "online casinos",
    "upper case": "PAYDAY LOANS",
    "inside Chinese text": "欢迎来我们的casino网站",
}


@pytest.mark.parametrize("text", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_hidden_banned_word_is_found(text):
    assert banned(text)


@pytest.mark.parametrize("field", ["requester_name", "requester_organization", "article_title", "original_text"])
def test_every_free_text_field_is_screened_name_and_organisation_included(field):
    assert banned("代開發票 c\u0430sino", field=field)


def test_the_free_text_fields_are_every_string_a_person_writes_freely():
    assert set(FREE_TEXT_FIELDS) == {
        "article_title",
        "original_text",
        "requested_change",
        "reason",
        "requester_name",
        "requester_organization",
    }


ORDINARY = [
    "The specialist said the socialist candidate won by a wide margin.",
    "An oxymoron in the headline: the article calls it a 'small giant'.",
    "We travelled via Granada and via graduate housing, as the article says.",
    "特殊人才引进政策已于 2026 年调整，文中“代开”一词应为“代为开具”。",
    "文章称该公司发票管理混乱，实际已整改，请更正。",
    "标题中的“北京”应为“南京”，第 3 段的日期也有误。",
    "本人是报道中提到的张三，文中年龄写错了，应为 35 岁。",
    "Пожалуйста, исправьте имя: Иванов, не Иванова.",
    "Ο τίτλος είναι λάθος: η σωστή ημερομηνία είναι 5 Μαρτίου.",
    "请核实：文中“皇后大道”在香港，而非澳门。後來的報導已更正。",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_a_banned_word(text):
    assert not banned(text)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_the_valid_samples_pass_screening_untouched(path):
    fields = json.loads(path.read_text("utf-8"))
    report = screen(fields, Evidence(channel="api"), CONFIG)
    assert report.findings == ()
    assert LocalClassifier().classify({k: str(fields[k]) for k in FREE_TEXT_FIELDS}, "zh").toxicity == 0


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_not_abusive(text):
    assert LocalClassifier().classify({"reason": text}, "zh").toxic_labels == ()


@pytest.mark.parametrize(
    "text", ["傻\u202e逼", "去 死", "殺了你", "i\u200bd\u0456ot", "k i l l  y o u", "ＭＯＲＯＮ", "fuck\ufe0f you"]
)
def test_the_classifiers_word_list_is_matched_through_the_same_fold(text):
    assert LocalClassifier().classify({"reason": text}, "zh").toxic_labels


def test_operators_words_are_folded_like_the_shipped_ones():
    config = config_from({"BANNED_WORDS": "某某藥, Ｆｏｏｂａｒ"})
    fields = sample()
    assert "banned_words" in screen({**fields, "reason": "某某药"}, Evidence(channel="api"), config).rules
    assert "banned_words" in screen({**fields, "reason": "f\u043eobar"}, Evidence(channel="api"), config).rules


def test_the_fold_drops_every_default_ignorable_code_point():
    # A sample from each kind the Unicode property gathers, beyond the general category Cf.
    ignorable = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u180b\u180e\u200b\u200f\u202a\u2064\u206f\u3164\ufe00\ufeff\uffa0"
    ignorable += "\U0001bca0\U0001d173\U000e0000\U000e0020\U000e0100\U000e0fff"
    assert fold("a" + ignorable + "b") == "ab"


def test_the_fold_keeps_ordinary_spaces_and_text():
    assert fold("Zhang  San,\n张三") == "zhang san, 张三"


def test_the_fold_maps_traditional_to_simplified_and_look_alikes_to_one_skeleton():
    assert fold("代開發票") == fold("代开发票") == "代开发票"
    assert fold("\u0441\u0430sino") == fold("CASINO") == "casino"


def test_a_word_list_names_the_entries_found():
    from corrigo.wordlists import WordList

    words = WordList(["代开发票", "payday loan", "casino"])
    assert words.found_in("代開 發票 and PAYDAY-LOANS") == ("代开发票", "payday loan")
    assert words.found_in("a bookcase in order") == ()


HOSTILE = {
    "spaces": " " * 200_000,
    "one letter, spaced": "a " * 100_000,
    "one letter": "a" * 200_000,
    "ignorables": "\u200b\ufe0f\U000e0041" * 66_667,
    "combining marks": "a" + "\u0301" * 199_999,
    "Chinese and Latin alternating": "代a" * 100_000,
    "near-misses of an entry": "casin " * 33_334,
    "traditional characters": "代開發" * 66_667,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_folding_and_matching_stay_linear_on_200000_hostile_characters(text):
    import time

    from corrigo.wordlists import WordList

    words = WordList(["aaaaab", "a a b", "a", "代开发票", "casino", "payday loan"])
    fold("warm up")  # the libraries' first import is not what is timed
    started = time.perf_counter()
    words.found_in(text)
    assert time.perf_counter() - started < 1.0


def test_an_empty_configuration_has_no_words():
    assert screen(sample(), Evidence(channel="api"), ScreeningConfig()).findings == ()


IGNORABLES = "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u202e\u2060\u2066\u3164\ufe0f\ufeff\uffa0\U000e0041\U000e01ef"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_no_mix_of_ignorable_characters_hides_a_shipped_banned_word(data):
    from corrigo.screening import shipped_banned_words

    word = data.draw(st.sampled_from([entry.shown for entry in shipped_banned_words().entries]))
    hidden = "".join(char + data.draw(st.text(IGNORABLES, max_size=3)) for char in word)
    assert word in shipped_banned_words().found_in(f"请看 {hidden} 谢谢")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_folds_and_is_searched_without_error(text):
    from corrigo.screening import shipped_banned_words

    assert isinstance(fold(text), str)
    assert isinstance(shipped_banned_words().found_in(text), tuple)


def test_building_the_screening_lists_folds_nothing_until_the_first_search() -> None:
    """A comments cold start that serves a page of comments never imports the fold's libraries
    (~30 ms, bench/cold_start.py); the first screened text does, and then finds what it should."""
    import subprocess
    import sys
    from pathlib import Path

    functions = Path(__file__).resolve().parents[3] / "functions"
    probe = (
        "import sys\n"
        "from corrigo.screening import config_from\n"
        "config = config_from({'BANNED_WORDS': 'f\\u043eobar'})\n"
        "folds = ('regex', 'opencc', 'disarm')\n"
        "assert not [m for m in folds if m in sys.modules], sorted(m for m in folds if m in sys.modules)\n"
        "assert config.banned_words.found_in('请看 FOOBAR 谢谢') == ('foobar',)\n"
        "assert all(m in sys.modules for m in folds)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(functions)!r})\n{probe}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
