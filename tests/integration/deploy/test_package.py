"""The deployable package (what CodeUri names) carries the schemas and web assets, imports, and validates."""

import os
import subprocess
import sys

from tests.support.aws import ROOT

PROBE = """
import json, sys
from handlers import api, intake_worker
from corrigo.validation import validate
from web import pages
sample = json.loads(open(sys.argv[1], encoding="utf-8").read())
assert validate(sample, domains=["news.example.cn"]).ok
assert "新闻稿件修改申请" in pages.form_page("zh")
print("ok", api.__file__)
"""


def test_the_packaged_code_imports_and_validates_on_its_own(tmp_path):
    from infra.package import build

    package = build(tmp_path / "lambda")
    assert (package / "schemas" / "correction-request.schema.json").is_file()
    assert (package / "web" / "templates" / "form.html").is_file()
    assert (package / "requirements.txt").is_file()

    env = {
        "PATH": os.environ["PATH"],
        # Only the package and the installed dependencies: nothing from the checkout.
        "PYTHONPATH": str(package),
        "SITE_DOMAINS": "news.example.cn",
        "PUBLIC_BASE_URL": "https://c.example.cn",
        "TABLE_NAME": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Corrigo",
    }
    sample = ROOT / "schemas" / "samples" / "valid" / "correction-zh.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(sample)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok " + str(package))
