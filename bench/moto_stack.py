"""In-process moto holding every resource of template.yaml, with the functions' environment set:
the set-up every in-process benchmark shares, with the project's fixes for moto's costs that grow
with the data (infra/moto_fixes), as in the local stack and the test suites."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.aws import TemplateStack


@contextmanager
def template_stack() -> Iterator[TemplateStack]:
    from moto import mock_aws

    from infra import moto_fixes
    from tests.support.aws import build_from_template

    moto_fixes.apply()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    with mock_aws():
        stack = build_from_template()
        os.environ.update(stack.environment)
        yield stack
