"""One local stack for this package's tests, built from a throwaway template and handlers of its own.

The template and handlers live in stack_fixture/ (readable, linted) and are copied into a temporary
directory, which the stack is pointed at through `template_path` and `code_dir`, as a project
would point it at its own.
"""

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from infra.local import LocalStack

FIXTURE = Path(__file__).parent / "stack_fixture"


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("local_stack")
    shutil.copytree(FIXTURE, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    return target


# Package scope: the stack (and its pollers) is gone before other packages' in-process mock_aws tests run.
# That needs this directory to be a package (its __init__.py): without one, pytest kept the stack, its
# schedule ticking every 0.3 s, until the session ended, and later unit tests saw its threads.
@pytest.fixture(scope="package")
def stack(stack_dir):
    local = LocalStack(
        stack_dir,
        template_path=stack_dir / "template.yaml",
        code_dir=stack_dir,
        http_port=0,
        aws_port=0,
        schedule_seconds=0.3,
    )
    local.start()
    yield local
    local.stop()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


def call(stack, method, path, body=None, headers=None):
    """One HTTP request to the gateway; 4xx/5xx are answers, not exceptions."""
    request = urllib.request.Request(stack.http_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


@pytest.fixture
def http(stack):
    return lambda method, path, body=None, headers=None: call(stack, method, path, body, headers)
