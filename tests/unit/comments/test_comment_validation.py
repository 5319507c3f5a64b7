"""The comment schemas through the one validator: each field named, zh and en."""

import pytest

from corrigo.comments.forms import COMMENT, REPORT, VERIFY
from corrigo.validation import validate

DOMAINS = ("news.example.cn",)
ARTICLE = "https://news.example.cn/a.html"


def errors(document, schema, language="zh"):
    return {
        e.field: e.message for e in validate(document, domains=DOMAINS, language=language, schema_file=schema).errors
    }


def test_a_good_comment_passes():
    assert errors({"article_url": ARTICLE, "nickname": "读者", "text": "第一行\n第二行"}, COMMENT) == {}


@pytest.mark.parametrize(
    ("document", "field", "zh", "en"),
    [
        ({"nickname": "读者", "text": "x"}, "article_url", "稿件链接：此项必填", "Article URL is required"),
        (
            {"article_url": "https://other.example.com/a", "nickname": "读者", "text": "x"},
            "article_url",
            "稿件链接：必须是本网站（news.example.cn）的稿件链接",
            "Article URL must be an article on our site (news.example.cn)",
        ),
        (
            {"article_url": ARTICLE, "nickname": "名" * 21, "text": "x"},
            "nickname",
            "昵称：不能超过 20 个字符（现有 21 个）",
            "Nickname must be at most 20 characters long (it has 21)",
        ),
        (
            {"article_url": ARTICLE, "nickname": "a\nb", "text": "x"},
            "nickname",
            "昵称：只能填写一行，不能包含换行或控制字符",
            "Nickname must be a single line, without line breaks or control characters",
        ),
        (
            {"article_url": ARTICLE, "nickname": "读者", "text": "响\x07铃"},
            "text",
            "评论内容：不能包含控制字符",
            "Comment must not contain control characters",
        ),
        (
            {"article_url": ARTICLE, "nickname": "读者", "text": "长" * 1001},
            "text",
            "评论内容：不能超过 1000 个字符（现有 1001 个）",
            "Comment must be at most 1000 characters long (it has 1001)",
        ),
        (
            {"article_url": ARTICLE, "nickname": "读者", "text": "x", "reply_to": "42"},
            "reply_to",
            "回复的评论：不是有效的评论编号",
            "Reply to is not a comment's id",
        ),
        (
            {"article_url": ARTICLE, "nickname": "读者", "text": "x", "avatar": "y"},
            "avatar",
            "avatar：不是本表的字段",
            "avatar is not a field of this form",
        ),
    ],
)
def test_each_problem_names_its_field_in_both_languages(document, field, zh, en):
    assert errors(document, COMMENT, "zh") == {field: zh}
    assert errors(document, COMMENT, "en") == {field: en}


def test_phone_and_report_reason():
    assert errors({"phone": "13812345678"}, VERIFY) == {}
    assert errors({"phone": "+44 20 7946 0958".replace(" ", "")}, VERIFY) == {}
    assert errors({"phone": "12345"}, VERIFY, "en") == {"phone": "Mobile number must be a valid mobile number"}
    assert errors({"phone": "13812345678", "code": "12345"}, VERIFY) == {"code": "验证码：请填写短信中的六位数字"}
    assert "reason" in errors({"reason": "dislike"}, REPORT)


def test_the_request_schema_is_untouched_by_the_second_schema():
    # The same validator module answers for requests, with the request's own fields.
    result = validate({"nickname": "x"}, domains=DOMAINS, language="en")
    assert "nickname" in {e.field for e in result.errors}  # not a request field
    assert "requester_name" in {e.field for e in result.errors}
