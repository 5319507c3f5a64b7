"""The requester follows the confirmation link mailed to their address (issue 9), for tests whose
subject is what comes after: questions, outcomes, duplicates' notices."""

from __future__ import annotations

import json
from typing import Any

from tests.support.events import http_event


def confirm_address(aws: Any, reference: str) -> None:
    """POST the request's confirmation token to the API route the link's page posts to."""
    from adapters.requests_table import RequestsTable
    from handlers import api

    request = RequestsTable(aws.ref("RequestsTable")).get(reference)
    assert request is not None, reference
    event = http_event(
        "POST",
        f"/requests/{reference}/confirm",
        route="/requests/{reference}/confirm",
        path_parameters={"reference": reference},
        body=json.dumps({"token": request.source["contact"]["token"]}),
        headers={"content-type": "application/json"},
    )
    answer = api.handler(event, aws.context("ApiFunction"))
    assert answer["statusCode"] == 200, answer
