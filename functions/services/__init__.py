"""Use cases: the core's rules applied through the adapters. Handlers call these and nothing else."""
