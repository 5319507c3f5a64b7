from tests.support.logs import service_logs  # noqa: F401 (a fixture, for the tests here)
