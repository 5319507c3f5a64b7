from tests.integration.intake.conftest import api, drain_intake_queue, post_json, valid_request  # noqa: F401
