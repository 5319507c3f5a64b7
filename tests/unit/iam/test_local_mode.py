"""LOCAL_IAM_CHECK: on for the project's own template, off for others, unless it says otherwise."""

import pytest

from infra.iam.local import MODE_ENV, PROJECT_TEMPLATE, UnknownIamMode, check_mode, is_project_template


def test_enforced_for_the_project_template_and_off_for_another(monkeypatch, tmp_path):
    monkeypatch.delenv(MODE_ENV, raising=False)
    assert is_project_template(PROJECT_TEMPLATE) and not is_project_template(tmp_path / "template.yaml")
    assert check_mode(project_template=True) == "enforce"
    assert check_mode(project_template=False) == "off"


def test_the_variable_chooses(monkeypatch):
    monkeypatch.setenv(MODE_ENV, "Record")
    assert check_mode(project_template=True) == "record"
    monkeypatch.setenv(MODE_ENV, "enforce")
    assert check_mode(project_template=False) == "enforce"
    monkeypatch.setenv(MODE_ENV, "loud")
    with pytest.raises(UnknownIamMode, match="LOCAL_IAM_CHECK='loud'"):
        check_mode(project_template=True)
