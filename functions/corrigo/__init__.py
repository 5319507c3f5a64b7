"""Corrigo's domain core: pure Python, no AWS SDK.

Everything here can be unit-tested without a socket. Adapters (boto3) live in
``adapters``; Lambda entry points live in ``handlers``.
"""
