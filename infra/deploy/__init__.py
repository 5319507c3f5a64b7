"""The deployable package, built and checked as `sam build` and Lambda would: `make deploy-check`."""
