"""The call counts a run saved, read back per function (the cost model's input)."""

import json

from infra.iam.report import calls_by_function, format_table, main

REPORT = {
    "functions": {
        "ApiFunction": {
            "calls": {"dynamodb:TransactWriteItems": 10, "sqs:SendMessage": 10},
            "actions": {"dynamodb:PutItem": 30},
        },
        "IntakeWorkerFunction": {"calls": {"sesv2:SendEmail": 10}, "actions": {}},
        "EditorFunction": {"calls": {}, "grants": ["x"]},
    },
    "denials": [],
}


def test_counts_per_accepted_submission():
    counts = calls_by_function(REPORT)
    assert set(counts) == {"ApiFunction", "IntakeWorkerFunction"}
    assert format_table(counts, per=10) == [
        "ApiFunction: 2",
        "  dynamodb:TransactWriteItems: 1",
        "  sqs:SendMessage: 1",
        "IntakeWorkerFunction: 1",
        "  sesv2:SendEmail: 1",
        "all functions: 3",
    ]


def test_the_command_fails_when_the_run_had_a_denial(tmp_path, capsys):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({**REPORT, "denials": [{"line": "IAM: ApiFunction sqs:SendMessage denied: ..."}]}))
    assert main([str(path), "--actions"]) == 1
    out, err = capsys.readouterr()
    assert "ApiFunction: 30" in out and "IAM: ApiFunction sqs:SendMessage denied" in err
