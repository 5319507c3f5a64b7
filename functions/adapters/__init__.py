"""AWS adapters: the only modules that import boto3. One module per service."""
