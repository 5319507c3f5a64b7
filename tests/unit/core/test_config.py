from datetime import timedelta

import pytest

from corrigo.config import ConfigError, duplicate_window_from, editor_addresses_from, settings_from

BASE = {
    "SITE_DOMAINS": "News.Example.cn, m.news.example.cn",
    "PUBLIC_BASE_URL": "https://c.example.cn/",
    "TABLE_NAME": "t",
}


def test_settings_are_read_and_defaults_derived_from_the_first_domain():
    settings = settings_from(BASE)
    assert settings.site_domains == ("news.example.cn", "m.news.example.cn")
    assert settings.intake_address == "lxwm@news.example.cn"
    assert settings.public_base_url == "https://c.example.cn"


@pytest.mark.parametrize("missing", ["SITE_DOMAINS", "PUBLIC_BASE_URL", "TABLE_NAME"])
def test_a_missing_setting_is_named(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        settings_from(env)


def test_bad_deadlines_fail_at_start_not_at_the_first_request():
    with pytest.raises(ConfigError, match="DEADLINES"):
        settings_from({**BASE, "DEADLINES": "removal=soon"})


def test_an_optional_setting_is_read_only_by_a_function_that_names_it():
    env = {**BASE, "FORM_SIGNING_SECRET": "s3cret", "INTAKE_QUEUE_URL": "https://q"}
    assert settings_from(env).form_signing_secret == ""
    assert settings_from(env).intake_queue_url == ""
    named = settings_from(env, ("FORM_SIGNING_SECRET", "INTAKE_QUEUE_URL"))
    assert (named.form_signing_secret, named.intake_queue_url) == ("s3cret", "https://q")
    with pytest.raises(ValueError, match="TABLE_NAMES"):
        settings_from(env, ("TABLE_NAMES",))


@pytest.mark.parametrize(("raw", "hours"), [(None, 72), ("", 0), ("0", 0), ("12.5", 12.5), (" 48 ", 48)])
def test_the_duplicate_window_is_read_in_hours(raw, hours):
    env = {} if raw is None else {"DUPLICATE_WINDOW_HOURS": raw}
    assert duplicate_window_from(env) == timedelta(hours=hours)


@pytest.mark.parametrize("raw", ["three days", "-1", "nan", "1e9"])
def test_a_bad_duplicate_window_is_named(raw):
    with pytest.raises(ConfigError, match="DUPLICATE_WINDOW_HOURS"):
        duplicate_window_from({"DUPLICATE_WINDOW_HOURS": raw})


def test_editor_addresses_are_read_once_and_checked():
    env = {"EDITOR_ADDRESSES": " a@news.example.cn, ,b@news.example.cn "}
    assert editor_addresses_from(env) == ("a@news.example.cn", "b@news.example.cn")
    assert editor_addresses_from({}) == ()
    with pytest.raises(ConfigError, match="EDITOR_ADDRESSES"):
        editor_addresses_from({"EDITOR_ADDRESSES": "editors at news"})
