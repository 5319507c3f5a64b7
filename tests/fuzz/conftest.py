"""Hypothesis profiles: "ci" (the default: fixed seed, few examples, fast) and "long" (`make fuzz`)."""

import os

from hypothesis import HealthCheck, settings

from tests.integration.intake.conftest import api, post_json, valid_request  # noqa: F401

settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,  # a fixed seed: CI runs the same examples every time
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
