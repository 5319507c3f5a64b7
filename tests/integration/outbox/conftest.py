from tests.integration.editor.conftest import bus_events  # noqa: F401
from tests.integration.intake.conftest import api, post_json, valid_request  # noqa: F401
