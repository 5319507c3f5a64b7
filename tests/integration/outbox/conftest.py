from tests.integration.intake.conftest import api, post_json, valid_request  # noqa: F401
