"""Test SQS consumer: fails the records whose body asks for it, and remembers every batch."""

import threading

batches = []
_lock = threading.Lock()


def handler(event, context):
    with _lock:
        batches.append(event["Records"])
    failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"].startswith("fail")]
    return {"batchItemFailures": failures}
