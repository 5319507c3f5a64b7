"""The editors' search tokens (corrigo.search_tokens): Chinese by character pairs, other text by
words, after NFKC and case folding; a request's tokens bounded; a search's rarest guess first."""

from __future__ import annotations

from corrigo.search_tokens import MAX_TOKENS, normalise, request_tokens, search_tokens, text_tokens


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
