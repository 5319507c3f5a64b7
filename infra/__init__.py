"""Operational tooling for Corrigo: the local stack lives in infra.local."""
