"""A whole submission, screening and acknowledgement leave no personal data in the logs."""

from tests.integration.screening.conftest import reference_of


def test_the_intake_path_logs_no_name_address_or_phone(
    screening_on, post_json, valid_request, drain_intake_queue, service_logs
):
    for _ in range(4):  # the fourth is refused by the rate limit, which logs too
        post_json(valid_request)
    reference = reference_of(post_json({**valid_request, "requester_email": "x@mailinator.com"}))
    drain_intake_queue()

    logs = service_logs()
    assert reference in logs  # the logs are there, and say which request
    for secret in ("zhangsan@example.com", "x@mailinator.com", "张三", "138 0013 8000", "13800138000", "203.0.113.7"):
        assert secret not in logs, secret
