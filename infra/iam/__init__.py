"""Every AWS call a function makes, checked against the IAM role the template gives that function.

`arns` turns one botocore call into the IAM requests AWS would authorise (action, resource ARN);
`evaluate` matches them against a role's statements; `policies` expands each function's role from
template.yaml with SAM's own translator; `recorder` hooks botocore, keeps what was called and by
whom, and denies what the role does not allow (the local stack), or reports it (the test suites).
"""
