"""Powertools Logger and Metrics, one of each per execution environment.

Tracer is left out on purpose: importing it pulls in the X-Ray SDK (~400 ms of cold start);
Lambda's active tracing (template.yaml) still records each invocation.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
