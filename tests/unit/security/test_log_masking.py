"""Logs carry no personal data: names, addresses and phone numbers are masked wherever they appear."""

import json

from observability import logger, mask_text


def test_fields_and_text_are_masked_and_the_rest_stays_readable(service_logs):
    logger.info(
        "mail to zhangsan@example.com failed; call 138 0013 8000 or +44 20 7946 0958 or 010-12345678",
        extra={
            "requester_name": "张三",
            "reference": "CR-2026-ABCDEF",
            "nested": {"email": "lisi@example.cn", "kind": "acknowledgement"},
            "recipients": ["a@b.example"],
        },
    )
    line = service_logs().strip().splitlines()[-1]
    record = json.loads(line)

    for secret in ("zhangsan", "lisi", "张三", "0013", "7946", "12345678", "a@b.example"):
        assert secret not in line
    assert record["requester_name"] == "***"
    assert record["nested"] == {"email": "***", "kind": "acknowledgement"}
    assert "z***@example.com" in record["message"] and "***00" in record["message"]
    assert record["reference"] == "CR-2026-ABCDEF"
    assert record["timestamp"][:4].isdigit() and ":" in record["timestamp"]


def test_exceptions_are_masked_too(service_logs):
    try:
        raise ValueError("bad address wangwu@example.org")
    except ValueError:
        logger.exception("failed")
    line = service_logs()
    assert "wangwu@" not in line and "w***@example.org" in line


def test_ids_dates_and_epoch_times_are_not_mistaken_for_phones():
    text = "CR-2026-5PT8H4 at 2026-11-26 10:55:17,338 epoch 1795690517326 id 0f3a9c1234567890"
    assert mask_text(text) == text
