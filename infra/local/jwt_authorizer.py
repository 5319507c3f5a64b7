"""An HTTP API JWT authorizer, checking a bearer token as API Gateway does.

API Gateway's rules (docs: "Controlling access to HTTP APIs with JWT authorizers"): the token's
RS256 signature must verify against the issuer's JWKS, `exp`/`nbf`/`iat` must hold, `iss` must equal
the configured issuer, and `aud` (or, when a token has no `aud`, `client_id`, as Cognito access
tokens do) must be one of the configured audiences. The claims reach the function flattened to
strings, arrays written as "[a b]": handlers must cope with that shape in AWS, so they see it here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool_id>[\w-]+)/?$")


class Unauthorized(Exception):
    """The request carries no acceptable token (API Gateway answers 401)."""


@dataclass(frozen=True)
class JwtAuthorizerConfig:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"

    @property
    def header_name(self) -> str:
        prefix = "$request.header."
        source = self.identity_source.split(",")[0].strip()
        return source[len(prefix) :].lower() if source.startswith(prefix) else "authorization"


def jwks_url_for(issuer: str, aws_endpoint_url: str) -> str:
    """Where to fetch an issuer's keys: Cognito issuers are served by the local moto endpoint."""
    match = _COGNITO_ISSUER.match(issuer)
    if match:
        return f"{aws_endpoint_url.rstrip('/')}/{match['pool_id']}/.well-known/jwks.json"
    return f"{issuer.rstrip('/')}/.well-known/jwks.json"


class JwtAuthorizer:
    def __init__(self, config: JwtAuthorizerConfig, jwks_url: str) -> None:
        self.config = config
        # Keys are cached (as API Gateway does); an unknown `kid` makes the client fetch again.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def authorize(self, headers: Mapping[str, str], required_scopes: Sequence[str] = ()) -> dict[str, Any]:
        """The `requestContext.authorizer` value for a valid token; raises Unauthorized otherwise."""
        token = _bearer_token(headers.get(self.config.header_name, ""))
        try:
            signing_key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                issuer=self.config.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise Unauthorized(str(exc)) from exc
        self._check_audience(claims)
        scopes = str(claims.get("scope", "")).split() if "scope" in claims else None
        if required_scopes and not set(required_scopes) & set(scopes or ()):
            raise Unauthorized("token has none of the route's authorization scopes")
        return {"jwt": {"claims": {key: gateway_claim(value) for key, value in claims.items()}, "scopes": scopes}}

    def _check_audience(self, claims: Mapping[str, Any]) -> None:
        if "aud" in claims:
            audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        else:
            audiences = [claims.get("client_id")]
        if not set(self.config.audience) & {str(audience) for audience in audiences if audience}:
            raise Unauthorized("token audience is not one the authorizer accepts")


def _bearer_token(value: str) -> str:
    value = value.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    if not value:
        raise Unauthorized("no token")
    return value


def gateway_claim(value: Any) -> str:
    """A claim as API Gateway passes it on: always a string, arrays as "[a b]"."""
    if isinstance(value, list):
        return "[" + " ".join(gateway_claim(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
