"""Read a SAM/CloudFormation template and evaluate its intrinsic functions.

Two jobs, both pure (no AWS calls): a YAML loader that turns the short tags (`!Ref`, `!Sub`, ...)
into the long JSON form CloudFormation itself uses, and a resolver that evaluates those intrinsics
against parameter values, pseudo parameters, conditions and the physical ids of resources that
the provisioner registers as it creates them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account: ARNs we build must match the ones moto returns
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
STACK_NAME = "corrigo-local"


class TemplateError(ValueError):
    """The template cannot be read or evaluated as written."""


class _NoValue:
    """`AWS::NoValue`: removes the property (or list item) that holds it."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

# ---------------------------------------------------------------------------------------------
# YAML loading
# ---------------------------------------------------------------------------------------------

_FN_TAGS = (
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split",
    "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
)  # fmt: skip


class CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that knows the CloudFormation short tags and keeps dates as strings."""


# CloudFormation treats unquoted 2010-09-09 as a string; YAML would make it a date.
CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_node(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _long_form(key: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {key: _construct_node(loader, node)}

    return construct


def _construct_get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct_node(loader, node)
    if isinstance(value, str):  # !GetAtt Resource.Attribute (the attribute may itself contain dots)
        value = value.split(".", 1)
    return {"Fn::GetAtt": value}


CloudFormationLoader.add_constructor("!Ref", _long_form("Ref"))
CloudFormationLoader.add_constructor("!Condition", _long_form("Condition"))
for _tag in _FN_TAGS:
    CloudFormationLoader.add_constructor(f"!{_tag}", _long_form(f"Fn::{_tag}"))
CloudFormationLoader.add_constructor("!GetAtt", _construct_get_att)


def load_template_text(text: str) -> dict[str, Any]:
    document = yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict):
        raise TemplateError("a template must be a mapping at the top level")
    return document


def load_template(path: Path) -> dict[str, Any]:
    return load_template_text(Path(path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------


def resolve_parameters(template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Each parameter's value: the override if given, else its Default; lists split like CloudFormation."""
    overrides = dict(overrides or {})
    declared = template.get("Parameters") or {}
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise TemplateError(f"parameter overrides name no template parameter: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in overrides:
            value = overrides[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no Default and no override")
        value = "" if value is None else value
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in allowed:
            raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
        param_type = str(spec.get("Type", "String"))
        if (param_type == "CommaDelimitedList" or param_type.startswith("List<")) and isinstance(value, str):
            value = [item.strip() for item in value.split(",")] if value else []
        elif not isinstance(value, list):
            value = str(value)
        values[name] = value
    return values


# ---------------------------------------------------------------------------------------------
# Intrinsic functions
# ---------------------------------------------------------------------------------------------

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class IntrinsicResolver:
    """Evaluates intrinsics; resources become resolvable once `register` gives their Ref and attributes."""

    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
        self._template = template
        self._parameters = dict(parameters)
        self._conditions: dict[str, bool] = {}
        self._refs: dict[str, Any] = {}
        self._attributes: dict[str, dict[str, Any]] = {}
        self._pseudo: dict[str, Any] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackName": STACK_NAME,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self._parameters)

    def register(self, logical_id: str, ref: Any, attributes: Mapping[str, Any] | None = None) -> None:
        self._refs[logical_id] = ref
        self._attributes[logical_id] = dict(attributes or {})

    def ref(self, name: str) -> Any:
        if name in self._parameters:
            return self._parameters[name]
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._refs:
            return self._refs[name]
        if name in (self._template.get("Resources") or {}):
            raise TemplateError(f"Ref {name}: that resource has not been created (yet)")
        raise TemplateError(f"Ref {name}: no such parameter, pseudo parameter or resource")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if logical_id not in self._attributes:
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: that resource has not been created (yet)")
        attributes = self._attributes[logical_id]
        if attribute not in attributes:
            known = ", ".join(sorted(attributes)) or "none"
            raise TemplateError(f"GetAtt {logical_id}.{attribute}: unknown attribute (known: {known})")
        return attributes[attribute]

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            conditions = self._template.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"no condition named {name}")
            self._conditions[name] = bool(self.resolve(conditions[name]))
        return self._conditions[name]

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic evaluated and every `AWS::NoValue` removed."""
        if isinstance(value, list):
            items = (self.resolve(item) for item in value)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(self.resolve(argument))
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                function = self._FUNCTIONS.get(key)
                if function is None:
                    raise TemplateError(f"{key} is not supported by the local stack")
                return function(self, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    # --- the functions ------------------------------------------------------------------------

    def _fn_get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        logical_id, attribute = (self.resolve(part) for part in argument)
        return self.get_att(logical_id, attribute)

    def _fn_sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1])
        else:
            text, variables = argument, {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is written out as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name not in self._pseudo:
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(substitute, text)

    def _fn_join(self, argument: Any) -> str:
        delimiter, items = self.resolve(argument)
        return str(delimiter).join(str(item) for item in items)

    def _fn_select(self, argument: Any) -> Any:
        index, items = self.resolve(argument)
        try:
            return items[int(index)]
        except (IndexError, ValueError) as exc:
            raise TemplateError(f"Fn::Select index {index!r} out of range for {items!r}") from exc

    def _fn_split(self, argument: Any) -> list[str]:
        delimiter, text = self.resolve(argument)
        return str(text).split(delimiter)

    def _fn_if(self, argument: Any) -> Any:
        condition_name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(condition_name) else when_false)

    def _fn_not(self, argument: Any) -> bool:
        (operand,) = argument
        return not self.resolve(operand)

    def _fn_and(self, argument: Any) -> bool:
        return all(self.resolve(operand) for operand in argument)

    def _fn_or(self, argument: Any) -> bool:
        return any(self.resolve(operand) for operand in argument)

    def _fn_equals(self, argument: Any) -> bool:
        left, right = self.resolve(argument)
        return str(left) == str(right) if not isinstance(left, list) else left == right

    def _fn_find_in_map(self, argument: Any) -> Any:
        map_name, top_key, second_key = self.resolve(argument)[:3]
        try:
            return self._template["Mappings"][map_name][top_key][second_key]
        except KeyError as exc:
            raise TemplateError(f"Fn::FindInMap {map_name}/{top_key}/{second_key}: not in Mappings") from exc

    def _fn_get_azs(self, argument: Any) -> list[str]:
        region = self.resolve(argument) or REGION
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_base64(self, argument: Any) -> str:
        return base64.b64encode(str(self.resolve(argument)).encode()).decode()

    _FUNCTIONS: ClassVar[dict[str, Any]] = {
        "Fn::GetAtt": _fn_get_att,
        "Fn::Sub": _fn_sub,
        "Fn::Join": _fn_join,
        "Fn::Select": _fn_select,
        "Fn::Split": _fn_split,
        "Fn::If": _fn_if,
        "Fn::Not": _fn_not,
        "Fn::And": _fn_and,
        "Fn::Or": _fn_or,
        "Fn::Equals": _fn_equals,
        "Fn::FindInMap": _fn_find_in_map,
        "Fn::GetAZs": _fn_get_azs,
        "Fn::Base64": _fn_base64,
    }


# ---------------------------------------------------------------------------------------------
# Dependency order
# ---------------------------------------------------------------------------------------------


def referenced_names(value: Any) -> set[str]:
    """Every name a value points at through Ref, GetAtt or a ${...} in Sub."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= referenced_names(item)
    elif isinstance(value, dict):
        for key, argument in value.items():
            if key == "Ref" and isinstance(argument, str):
                found.add(argument)
            elif key == "Fn::GetAtt":
                target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
                if isinstance(target, str):
                    found.add(target)
            elif key == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) else argument
                local_names = (
                    set(argument[1]) if isinstance(argument, list) and isinstance(argument[1], dict) else set()
                )
                for name in _SUB_VARIABLE.findall(text if isinstance(text, str) else ""):
                    if not name.startswith("!") and name.split(".", 1)[0] not in local_names:
                        found.add(name.split(".", 1)[0])
                if isinstance(argument, list):
                    found |= referenced_names(argument[1:])
            else:
                found |= referenced_names(argument)
    return found


def creation_order(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Logical ids ordered so that each comes after everything it references (template order otherwise)."""
    dependencies: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn") or []
        names = referenced_names(resource.get("Properties") or {}) | set(
            [depends_on] if isinstance(depends_on, str) else depends_on
        )
        dependencies[logical_id] = {name for name in names if name in resources and name != logical_id}

    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(logical_id: str, path: Iterable[str]) -> None:
        if state.get(logical_id) == "done":
            return
        if state.get(logical_id) == "visiting":
            cycle = " -> ".join([*path, logical_id])
            raise TemplateError(f"circular dependency between resources: {cycle}")
        state[logical_id] = "visiting"
        for dependency in sorted(dependencies[logical_id], key=list(resources).index):
            visit(dependency, [*path, logical_id])
        state[logical_id] = "done"
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id, [])
    return ordered
