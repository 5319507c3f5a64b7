"""Which wheels a function's package may hold, and Lambda's size limits: the rules `make deploy-check` applies."""

from __future__ import annotations

import pytest

from infra.deploy.platforms import Platform, lambda_platform
from infra.deploy.sizes import MB, PackageSize
from infra.local.template import TemplateError, load_template
from tests.support.aws import ROOT

AL2_ARM = Platform("3.11", "aarch64")  # python3.11 runs on Amazon Linux 2: glibc 2.26
AL2023_ARM = Platform("3.12", "aarch64")  # python3.12 on Amazon Linux 2023: glibc 2.34


def test_the_template_asks_for_python311_on_arm64():
    assert lambda_platform(load_template(ROOT / "template.yaml")) == AL2_ARM


def test_functions_sharing_one_package_must_share_one_platform():
    template = {
        "Globals": {"Function": {"Runtime": "python3.11", "Architectures": ["arm64"]}},
        "Resources": {
            "A": {"Type": "AWS::Serverless::Function", "Properties": {}},
            "B": {"Type": "AWS::Serverless::Function", "Properties": {"Architectures": ["x86_64"]}},
        },
    }
    with pytest.raises(TemplateError, match="one runtime and architecture"):
        lambda_platform(template)


@pytest.mark.parametrize(
    ("tag", "loads"),
    [
        ("py3-none-any", True),
        ("cp311-cp311-manylinux2014_aarch64", True),
        ("cp311-cp311-manylinux_2_17_aarch64", True),
        ("cp311-cp311-manylinux_2_26_aarch64", True),
        ("cp311-cp311-manylinux_2_28_aarch64", False),  # newer glibc than Amazon Linux 2's
        ("cp311-cp311-manylinux2014_x86_64", False),  # the wrong CPU
        ("cp312-cp312-manylinux2014_aarch64", False),  # another CPython
        ("cp38-abi3-manylinux2014_aarch64", True),  # the stable ABI, built for an older CPython
        ("cp311-cp311-macosx_11_0_arm64", False),
    ],
)
def test_a_wheel_loads_only_on_its_cpu_cpython_and_glibc(tag, loads):
    assert AL2_ARM.accepts(tag) is loads


def test_a_newer_runtime_has_a_newer_glibc():
    assert AL2023_ARM.accepts("cp312-cp312-manylinux_2_28_aarch64")
    assert not AL2023_ARM.accepts("cp312-cp312-manylinux_2_35_aarch64")


def test_a_package_over_either_lambda_limit_fails():
    assert PackageSize(unzipped=250 * MB, zipped=50 * MB).within_limits
    assert not PackageSize(unzipped=250 * MB + 1, zipped=10 * MB).within_limits
    assert not PackageSize(unzipped=100 * MB, zipped=50 * MB + 1).within_limits
