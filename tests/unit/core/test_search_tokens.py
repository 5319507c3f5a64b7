"""The editors' search tokens (corrigo.search_tokens): Chinese by character pairs, other text by
words, after NFKC and case folding; a request's tokens bounded; a search's rarest guess first."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corrigo.search_tokens import MAX_TOKENS, _pieces, normalise, request_tokens, search_tokens, text_tokens


def test_chinese_gives_every_pair_of_neighbours_and_a_lone_character_itself():
    assert text_tokens("张三丰") == ["张三", "三丰"]
    assert text_tokens("王") == ["王"]
    assert text_tokens("关于 网站") == ["关于", "网站"]


def test_other_text_gives_its_words_of_two_characters_or_more_without_url_noise():
    assert text_tokens("https://www.News.example.cn/a/2026/12345.html") == ["news", "example", "cn", "2026", "12345"]


def test_an_email_address_is_also_a_token_whole():
    assert text_tokens("Zhang.San@Example.COM") == ["zhang.san@example.com", "zhang", "san", "example", "com"]


def test_full_width_and_capital_letters_meet_their_plain_forms():
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert text_tokens("ＡＢＣ１２３") == text_tokens("abc123") == ["abc123"]


def test_mixed_chinese_and_digits_split_at_the_script_boundary():
    assert text_tokens("申请人12") == ["申请", "请人", "12"]


def test_a_request_is_indexed_under_the_searched_fields_only_and_at_most_max_tokens():
    fields = {
        "requester_name": "李四",
        "requester_email": "li@example.cn",
        "article_title": "市场" * 200 + "".join(chr(0x4E00 + n) for n in range(200)),
        "original_text": "不索引",
    }
    tokens = request_tokens(fields)
    assert len(tokens) == MAX_TOKENS
    # Who asked comes first, so a long title cannot push the requester out of the index.
    assert tokens[:3] == ("li@example.cn", "li", "example")
    assert "李四" in tokens
    assert "索引" not in tokens


def test_a_search_reads_its_likely_rarest_token_first():
    assert search_tokens("申请人12") == ("12", "申请", "请人")
    assert search_tokens("li@example.cn 李四")[0] == "li@example.cn"
    assert search_tokens("a") == ()


# What the tokens were cut by before the ranges were looked up by bisection (cold start, issue 8):
# the same pieces, for any text.
_CJK_CLASS = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_REGEX_PIECES = re.compile(rf"[{_CJK_CLASS}]+|[^\W_{_CJK_CLASS}]+")
# Characters at and around every boundary of the ranges, and some of each kind of text.
_EDGES = [chr(c + d) for c in (0x2E80, 0x2FE0, 0x3040, 0x3100, 0x3130, 0x31A0, 0x3200, 0x3400, 0x4DC0, 0x4E00,
                               0xA000, 0xAC00, 0xD7B0, 0xF900, 0xFB00, 0x20000, 0x31350) for d in (-1, 0, 1)]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_EDGES), st.sampled_from(list("a_1 -.@中文·ア・한글é")), st.characters())))
def test_the_pieces_are_those_of_the_regular_expression_they_replace(characters):
    text = "".join(characters)

    assert list(_pieces(text)) == _REGEX_PIECES.findall(text)
