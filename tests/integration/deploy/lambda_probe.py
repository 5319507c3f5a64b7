"""One Lambda cold start and one invocation, from the package alone.

Run by the package test as `python -I -S lambda_probe.py PACKAGE SDK HANDLER EVENT RESULT`: -I and -S
leave only the standard library on sys.path, and this script adds what Lambda's bootstrap adds —
the function's code (/var/task) first, then the runtime's boto3 (/var/runtime). It imports nothing
of the project itself, and reports every module that came from anywhere else.
"""

import gc
import importlib
import json
import os
import sys
import sysconfig
import time
import uuid

package, sdk, handler_path, event_file, result_file = sys.argv[1:6]
sys.path[:0] = [package, sdk]
os.chdir(package)  # Lambda starts the function in /var/task


class LambdaContext:
    """The attributes Lambda's Python runtime gives the handler's second argument."""

    def __init__(self) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.invoked_function_arn = (
            f"arn:aws:lambda:{os.environ['AWS_REGION']}:123456789012:function:{self.function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = uuid.uuid4().hex
        self.identity = self.client_context = None
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


started = time.perf_counter()
module_name, _, attribute = handler_path.rpartition(".")
handler = getattr(importlib.import_module(module_name), attribute)
init_seconds = time.perf_counter() - started
# Paused for INIT by handlers/init_collector.py, as _HANDLER names the module: on again after it.
collector = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}

with open(event_file, encoding="utf-8") as file:
    event = json.load(file)
response = handler(event, LambdaContext())

allowed = tuple(
    os.path.realpath(p) for p in (package, sdk, sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
)
foreign = sorted(
    f"{name}: {origin}"
    for name, module in list(sys.modules.items())
    if (origin := getattr(module, "__file__", None))
    and os.path.realpath(origin) != os.path.realpath(__file__)
    and not os.path.realpath(origin).startswith(allowed)
)
with open(result_file, "w", encoding="utf-8") as file:
    json.dump(
        {"response": response, "foreign_modules": foreign, "init_seconds": init_seconds, "collector": collector},
        file,
        default=str,
    )
