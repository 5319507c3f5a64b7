"""Helpers shared by the test suites: AWS resources from template.yaml, sample events, lambda contexts."""
