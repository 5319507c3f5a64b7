from tests.support.logs import service_logs  # noqa: F401
