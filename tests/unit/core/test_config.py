import pytest

from corrigo.config import ConfigError, settings_from

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
