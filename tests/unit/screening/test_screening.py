"""Screening core: each rule, the verdict its scores add up to, and a report an editor can read."""

import json

import pytest

from corrigo import formtoken
from corrigo.classifier import Classification, LocalClassifier
from corrigo.formtoken import TokenCheck, TokenState
from corrigo.schema import schema_dir
from corrigo.screening import (
    Evidence,
    MailEvidence,
    ScreeningConfig,
    ScreeningReport,
    Thresholds,
    Verdict,
    config_from,
    evidence_from_source,
    screen,
)
from corrigo.textfold import fold

CONFIG = config_from({})


@pytest.fixture
def fields() -> dict:
    return json.loads((schema_dir() / "samples" / "valid" / "correction-zh.json").read_text("utf-8"))


def web(age: int | None = 60, state: TokenState = TokenState.VALID) -> Evidence:
    return Evidence(channel="web", form_token=TokenCheck(state, age))


def test_an_ordinary_request_passes_with_no_findings(fields):
    report = screen(fields, web(), CONFIG)
    assert report == ScreeningReport(Verdict.PASS, 0, ())


def test_a_filled_honeypot_is_spam_whatever_else(fields):
    report = screen(fields, Evidence(channel="web", honeypot=True), CONFIG)
    assert report.verdict is Verdict.SPAM
    assert report.rules == ("honeypot",)
    assert "bot" in report.findings[0].en and "机器人" in report.findings[0].zh


@pytest.mark.parametrize(
    ("check", "rule", "verdict"),
    [
        (TokenCheck(TokenState.VALID, 1), "too_fast", Verdict.SUSPECT),
        (TokenCheck(TokenState.MISSING), "form_token_missing", Verdict.SUSPECT),
        (TokenCheck(TokenState.INVALID), "form_token_invalid", Verdict.SUSPECT),
        (TokenCheck(TokenState.EXPIRED, 10**7), "form_token_expired", Verdict.PASS),
    ],
)
def test_form_timing_rules(fields, check, rule, verdict):
    report = screen(fields, Evidence(channel="web", form_token=check), CONFIG)
    assert report.rules == (rule,)
    assert report.verdict is verdict


def test_json_clients_and_unconfigured_secrets_are_not_judged_by_the_form_token(fields):
    assert screen(fields, Evidence(channel="api", form_token=TokenCheck(TokenState.MISSING)), CONFIG).findings == ()
    assert screen(fields, Evidence(channel="web", form_token=TokenCheck(TokenState.UNCHECKED)), CONFIG).findings == ()


def test_the_minimum_fill_time_is_configurable(fields):
    config = ScreeningConfig(thresholds=Thresholds.parse("min_seconds=120"))
    assert screen(fields, web(age=60), config).rules == ("too_fast",)


def test_many_links_and_a_text_of_links(fields):
    links = " ".join(f"https://spam.example.com/{i}" for i in range(8))
    report = screen({**fields, "reason": links}, web(), CONFIG)
    assert {"many_links", "link_density"} <= set(report.rules)
    assert report.verdict in (Verdict.SUSPECT, Verdict.SPAM)


def test_a_couple_of_evidence_links_are_fine(fields):
    reason = "组委会公告见 https://news.example.cn/notice 与 https://sports.example.cn/a 两处。"
    assert screen({**fields, "reason": reason}, web(), CONFIG).findings == ()


def test_repeated_text(fields):
    report = screen({**fields, "reason": "快来看看这个好东西！\n" * 40}, web(), CONFIG)
    assert report.rules == ("repeated_text",)


def test_banned_words_match_after_full_width_and_case_folding(fields):
    report = screen({**fields, "reason": "ＶＩＡＧＲＡ and Casino 以及代开发票"}, web(), CONFIG)
    assert report.rules == ("banned_words",)
    assert report.findings[0].score == 12
    assert report.verdict is Verdict.SPAM
    assert "viagra" in report.findings[0].en


def test_operators_add_banned_words_through_configuration(fields):
    config = config_from({"BANNED_WORDS": "Ｆｏｏｂａｒ, 某某药"})
    assert screen({**fields, "reason": "FOOBAR"}, web(), config).rules == ("banned_words",)
    assert screen({**fields, "reason": "FOOBAR"}, web(), CONFIG).findings == ()


def test_invisible_characters_do_not_hide_a_banned_word():
    assert fold("vi\u200bagra") == "viagra"


@pytest.mark.parametrize("address", ["x@mailinator.com", "x@sub.yopmail.com", "x@host.invalid", "x@LOCALHOST"])
def test_disposable_and_undeliverable_domains(fields, address):
    report = screen({**fields, "requester_email": address}, web(), CONFIG)
    assert report.rules == ("disposable_domain",)
    assert report.verdict is Verdict.SUSPECT


def test_ses_virus_is_spam_and_ses_spam_is_suspect(fields):
    virus = Evidence(channel="mail", mail=MailEvidence("zhangsan@example.com", {"virus": "FAIL"}))
    spam = Evidence(channel="mail", mail=MailEvidence("zhangsan@example.com", {"spam": "FAIL"}))
    assert screen(fields, virus, CONFIG).verdict is Verdict.SPAM
    assert screen(fields, spam, CONFIG).verdict is Verdict.SUSPECT


def test_a_mail_claiming_the_requesters_identity_must_authenticate(fields):
    forged = Evidence(channel="mail", mail=MailEvidence("ZhangSan@example.com", {"dmarc": "FAIL", "spf": "FAIL"}))
    report = screen(fields, forged, CONFIG)
    assert report.rules == ("sender_not_authenticated",)
    assert report.findings[0].score == 5
    assert "SPF/DMARC" in report.findings[0].en


def test_a_form_email_other_than_the_sender(fields):
    other = Evidence(channel="mail", mail=MailEvidence("someone@else.example", {"spf": "PASS"}))
    assert screen(fields, other, CONFIG).rules == ("sender_mismatch",)


def test_the_classifier_adds_abuse_and_notes_personal_data(fields):
    classification = LocalClassifier().classify({"reason": "你这个垃圾记者，傻逼，身份证 110101199003071234"}, "zh")
    assert classification.toxicity >= 70
    assert "CN_RESIDENT_ID" in classification.pii_types
    report = screen(fields, Evidence(channel="api", classification=classification), CONFIG)
    assert report.rules == ("abusive", "personal_data")
    assert report.verdict is Verdict.SUSPECT


def test_a_classifier_outage_is_recorded_not_fatal(fields):
    report = screen(fields, Evidence(classification=Classification(error="throttled")), CONFIG)
    assert report.rules == ("classifier_unavailable",)
    assert report.verdict is Verdict.PASS


def test_scores_add_up_to_spam(fields):
    spammy = {**fields, "requester_email": "a@mailinator.com", "reason": "casino " + "https://x.example/ " * 5}
    report = screen(spammy, web(age=0), CONFIG)
    assert report.verdict is Verdict.SPAM
    assert report.score == sum(f.score for f in report.findings) >= 8


def test_the_report_round_trips_and_reads_as_one_line(fields):
    report = screen({**fields, "requester_email": "a@mailinator.com"}, web(age=1), CONFIG)
    assert ScreeningReport.from_dict(report.as_dict()) == report
    assert report.summary("en").startswith("suspect (7): ")
    assert "秒即提交" in report.summary("zh")
    assert all(isinstance(f["score"], int) for f in report.as_dict()["findings"])


def test_evidence_from_what_intake_stored():
    source = {
        "form": {"state": "valid", "age_seconds": 2},
        "mail": {"from": "a@b.example", "verdicts": {"spam": "fail"}},
        "ip": "203.0.113.7",
    }
    evidence = evidence_from_source("web", ("honeypot",), source)
    assert evidence.honeypot
    assert evidence.form_token == TokenCheck(TokenState.VALID, 2)
    assert evidence.mail == MailEvidence("a@b.example", {"spam": "FAIL"})
    assert evidence_from_source("web", (), {"form": {"state": "bogus"}}).form_token.state is TokenState.INVALID
    from decimal import Decimal

    stored = evidence_from_source("web", (), {"form": {"state": "valid", "age_seconds": Decimal("3")}})
    assert stored.form_token == TokenCheck(TokenState.VALID, 3)


@pytest.mark.parametrize("text", ["suspect=0", "spam=2,suspect=3", "nonsense=1", "suspect=x"])
def test_bad_thresholds_are_refused(text):
    with pytest.raises(ValueError, match=r"threshold|suspect|int"):
        Thresholds.parse(text)


# ---- the form token -----------------------------------------------------------------------------


def test_a_token_tells_its_age_and_only_with_the_right_secret():
    token = formtoken.issue("s3cret", 1_000_000)
    assert formtoken.check(token, "s3cret", 1_000_012) == TokenCheck(TokenState.VALID, 12)
    assert formtoken.check(token, "other", 1_000_012).state is TokenState.INVALID
    assert formtoken.check(token.replace("1000000", "999000"), "s3cret", 1_000_012).state is TokenState.INVALID
    assert formtoken.check(token, "s3cret", 1_000_000 + 8 * 86400).state is TokenState.EXPIRED
    assert formtoken.check(token, "s3cret", 990_000).state is TokenState.INVALID


@pytest.mark.parametrize("given", [None, "", 42, "abc", "123.", ".abc", "1" * 40 + ".ff", "１２.ab"])
def test_malformed_tokens(given):
    assert formtoken.check(given, "s3cret", 0).state in (TokenState.MISSING, TokenState.INVALID)


def test_without_a_secret_there_is_no_token_and_no_check():
    assert formtoken.issue("", 0) == ""
    assert formtoken.check("1.ab", "", 0).state is TokenState.UNCHECKED
