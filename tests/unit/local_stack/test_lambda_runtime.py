"""Function environments: Globals merged per function; one process cannot give one variable two values."""

import pytest

from infra.local.lambda_runtime import EnvironmentConflict, FunctionSpec, function_specs, shared_environment
from infra.local.template import IntrinsicResolver, load_template_text, resolve_parameters

TEMPLATE = load_template_text(
    """
    Parameters:
      Level: {Type: String, Default: INFO}
    Globals:
      Function:
        Timeout: 9
        Environment: {Variables: {LOG_LEVEL: !Ref Level, SHARED: one}}
    Resources:
      First:
        Type: AWS::Serverless::Function
        Properties: {Handler: a.handler, MemorySize: 1024, Environment: {Variables: {OWN: x, SHARED: two}}}
      Second:
        Type: AWS::Serverless::Function
        Properties: {Handler: b.handler}
    """
)


def spec(name, environment):
    return FunctionSpec(name, name, "m.h", environment, 128, 3)


def test_globals_merge_with_the_functions_own_settings():
    resolver = IntrinsicResolver(TEMPLATE, resolve_parameters(TEMPLATE))
    resolver.register("First", "first-fn")
    resolver.register("Second", "second-fn")
    first, second = function_specs(TEMPLATE, resolver)

    assert first.environment == {"LOG_LEVEL": "INFO", "SHARED": "two", "OWN": "x"}
    assert (first.memory_mb, first.timeout_seconds, first.name) == (1024, 9, "first-fn")
    assert second.environment == {"LOG_LEVEL": "INFO", "SHARED": "one"}
    assert second.memory_mb == 128


def test_the_union_is_shared_and_a_conflict_stops_the_start_naming_both_functions():
    assert shared_environment([spec("A", {"X": "1"}), spec("B", {"X": "1", "Y": "2"})]) == {"X": "1", "Y": "2"}
    with pytest.raises(EnvironmentConflict, match=r"SHARED.*First.*Second"):
        shared_environment([spec("First", {"SHARED": "two"}), spec("Second", {"SHARED": "one"})])
