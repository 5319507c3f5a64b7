"""Test handlers for Lambda's limits: one that overstays its Timeout, one that counts its concurrent
invocations, one that needs more memory than its MemorySize."""

import threading
import time

slow_calls = []
concurrency = {"now": 0, "most": 0, "records": []}
_lock = threading.Lock()
HUNGRY_BYTES = 64 * 1024 * 1024


def slow(event, context):
    """Sleeps as long as asked: `?seconds=` on HTTP, the body of an SQS record."""
    if "Records" in event:
        seconds = float(event["Records"][0]["body"])
        slow_calls.append(event["Records"][0]["attributes"]["ApproximateReceiveCount"])
    else:
        seconds = float(event["queryStringParameters"]["seconds"])
    time.sleep(seconds)
    return {"statusCode": 200, "body": "done"} if "Records" not in event else {"batchItemFailures": []}


def capped(event, context):
    with _lock:
        concurrency["now"] += 1
        concurrency["most"] = max(concurrency["most"], concurrency["now"])
    time.sleep(0.1)  # long enough for invocations to overlap when the poller allows it
    with _lock:
        concurrency["now"] -= 1
        concurrency["records"].extend(record["body"] for record in event["Records"])


def hungry(event, context):
    block = b"x" * HUNGRY_BYTES  # written, so every page is resident
    return {"statusCode": 200, "body": str(len(block))}
