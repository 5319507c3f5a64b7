"""Test schedule and SNS targets: remember what they were called with."""

ticks = []
notifications = []


def handler(event, context):
    ticks.append(event)


def on_notification(event, context):
    notifications.append(event)
