"""Test DynamoDB stream consumer: fails the records whose new image asks for it, remembers every batch."""

import threading

batches = []
_lock = threading.Lock()


def handler(event, context):
    with _lock:
        batches.append(event["Records"])
    failures = [
        {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}
        for record in event["Records"]
        if record["dynamodb"].get("NewImage", {}).get("fail", {}).get("BOOL")
    ]
    return {"batchItemFailures": failures}
