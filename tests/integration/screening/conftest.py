"""Screening on moto built from template.yaml, with the switches the other suites leave off turned on."""

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.integration.intake.conftest import api, body_of, drain_intake_queue, post_json, valid_request  # noqa: F401
from tests.support.logs import service_logs  # noqa: F401


@pytest.fixture
def screening_on(aws, monkeypatch):
    """Rate limits (3 per address, 5 per IP an hour) and duplicate linking (72 h), as deployed."""
    from corrigo.ratelimit import parse_limits
    from handlers import api as api_module
    from handlers import intake_worker

    def limits(text: str) -> None:
        monkeypatch.setattr(api_module, "SETTINGS", replace(api_module.SETTINGS, rate_limits=parse_limits(text)))
        api_module.intake.cache_clear()

    limits("email=3/3600,ip=5/3600")
    monkeypatch.setattr(intake_worker, "DUPLICATE_WINDOW", timedelta(hours=72))
    intake_worker.worker.cache_clear()
    yield limits
    api_module.intake.cache_clear()
    intake_worker.worker.cache_clear()


@pytest.fixture
def table(aws):
    from adapters.requests_table import RequestsTable

    return RequestsTable(aws.ref("RequestsTable"))


@pytest.fixture
def post_form(api):  # noqa: F811 (the imported fixture)
    from urllib.parse import urlencode

    def post(document: dict, headers: dict | None = None):
        fields = {k: ("true" if v is True else v) for k, v in document.items()}
        return api(
            "POST",
            "/requests",
            body=urlencode(fields),
            headers={"content-type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    return post


def reference_of(response) -> str:
    if response["statusCode"] == 303:
        return response["headers"]["Location"].split("/")[2].split("?")[0]
    return body_of(response)["reference"]
