"""The OpenAPI description stays complete: ids for SDKs, every error declared."""

from __future__ import annotations

import copy
import json

import httpx
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing.exceptions import Unresolvable

# Answered without a token (so neither 401 nor the rate limit apply); /oauth/* is RFC 6749's.
PUBLIC_PATHS = (
    "/healthz",
    "/readyz",
    "/api/v1/oauth/scopes",
    "/.well-known/oauth-authorization-server",
    "/api/v1/events/{source_id}",  # signed with the source's secret, not a token
)


def test_trigger_operation_is_described(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    operation = spec["paths"]["/api/v2/automations/run-manual-successplay"]["post"]
    assert operation["operationId"] == "runManualSuccessPlay"
    assert set(operation["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "413",
        "422",
        "429",
        "500",
        "503",
    }
    assert operation["responses"]["200"]["content"]["text/plain"]["example"] == "Success"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["successplayId", "accountId"]


def test_docs_page_is_served(http: httpx.Client) -> None:
    response = http.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_every_operation_is_complete(http: httpx.Client) -> None:
    """Stable ids, an example for every body, and every error status declared."""
    spec = http.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    seen_ids = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("operationId"), where
            assert operation["operationId"] not in seen_ids, where
            seen_ids.add(operation["operationId"])
            # FastAPI's own 422 never happens: bad input is a 400 problem document.
            assert operation["responses"].get("422", {}).get("description") != (
                "Validation Error"
            ), where
            if path not in PUBLIC_PATHS and not path.startswith("/oauth/"):
                assert {"401", "429"} <= set(operation["responses"]), where
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                schema = body["schema"]
                schema = schemas[schema["$ref"].split("/")[-1]] if "$ref" in schema else schema
                assert "example" in schema or any(
                    "example" in p or "examples" in p for p in schema.get("properties", {}).values()
                ), f"{where}: no example body"


def test_every_reference_resolves_from_the_document_root(http: httpx.Client) -> None:
    """Viewers (ReDoc, SDK generators) resolve ``$ref`` from the root: a model's local
    ``#/$defs/...`` left inside an operation breaks ReDoc ("Invalid reference token")."""
    spec = http.get("/openapi.json").json()
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            assert "$defs" not in node
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in spec["components"]["schemas"], ref


def test_the_document_is_valid_openapi(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises, naming the first thing wrong


def test_a_broken_document_is_caught_by_the_validator(http: httpx.Client) -> None:
    """The validator above can fail: the same document with one mistake is refused."""
    spec = http.get("/openapi.json").json()
    broken = copy.deepcopy(spec)
    broken["paths"]["/api/v1/accounts"]["get"]["responses"]["404"]["content"][
        "application/problem+json"
    ]["schema"] = {"$ref": "#/components/schemas/Nothing"}
    with pytest.raises(Unresolvable):
        validate(broken)
    broken = copy.deepcopy(spec)
    broken["components"]["schemas"]["Problem"]["properties"]["status"]["type"] = "int"
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_every_problem_response_refers_to_the_one_problem_component(http: httpx.Client) -> None:
    """One Problem schema, referenced: generators make one model of it, not one per response."""
    spec = http.get("/openapi.json").json()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) >= {"type", "title", "status", "detail", "code"}
    assert "#/components/schemas/ProblemItem" in json.dumps(problem)
    problem_responses = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if "application/problem+json" in content:
                    problem_responses += 1
                    schema = content["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path)
                if status.startswith(("4", "5")) and path.startswith("/api/"):
                    # The API's errors are problem documents (and text on Totango's routes).
                    assert "application/problem+json" in content, (method, path, status)
    assert problem_responses > 200

    def copies_of_the_problem(node: object) -> int:
        if isinstance(node, list):
            return sum(copies_of_the_problem(value) for value in node)
        if not isinstance(node, dict):
            return 0
        found = int({"detail", "request_id"} <= set(node.get("properties", {})))
        return found + sum(copies_of_the_problem(value) for value in node.values())

    assert copies_of_the_problem(spec) == 1  # the component itself


def test_security_schemes_are_declared(http: httpx.Client) -> None:
    schemes = http.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["app-token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "app-token",
        "description": schemes["app-token"]["description"],
    }
    assert (schemes["bearer"]["type"], schemes["bearer"]["scheme"]) == ("http", "bearer")
    assert (schemes["oauth-client"]["type"], schemes["oauth-client"]["scheme"]) == (
        "http",
        "basic",
    )
    flows = schemes["oauth2"]["flows"]
    assert set(flows) == {"clientCredentials", "authorizationCode"}
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert flows["authorizationCode"]["authorizationUrl"] == "/oauth/authorize"
    catalogue = http.get("/api/v1/oauth/scopes").json()
    for flow in flows.values():
        assert set(flow["scopes"]) == {scope["scope"] for scope in catalogue}


def test_each_operation_declares_how_to_call_it(http: httpx.Client) -> None:
    """Token holders: app-token or bearer; OAuth apps: the scope the route checks (the same
    operations the public scope catalogue lists, which is built from the routes' checks);
    nothing on public operations; the app's own credentials on the token endpoints."""
    spec = http.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    catalogue = http.get("/api/v1/oauth/scopes").json()
    by_scope = {scope["scope"]: set(scope["operations"]) for scope in catalogue}
    documented: dict[str, set[str]] = {scope: set() for scope in by_scope}
    personal_only = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            security = operation.get("security")
            if path in PUBLIC_PATHS or path == "/oauth/authorize":
                assert security is None, where
                continue
            if path in ("/oauth/token", "/oauth/revoke"):
                assert security == [{"oauth-client": []}, {}], where
                continue
            assert security[:2] == [{"app-token": []}, {"bearer": []}], where
            # (The validator does not check that a requirement names a declared scheme.)
            assert {name for r in security for name in r} <= set(schemes), where
            assert "401" in operation["responses"], where
            if len(security) == 2:
                personal_only.add(where)
                continue
            (oauth2,) = security[2:]
            for scope in oauth2["oauth2"]:
                documented[scope].add(where)
    assert documented == by_scope
    assert personal_only == {
        "GET /api/v1/tokens",
        "POST /api/v1/tokens",
        "PATCH /api/v1/tokens/{token_id}",
        "DELETE /api/v1/tokens/{token_id}",
        "POST /api/v1/oauth/apps",
        "GET /api/v1/oauth/apps",
        "GET /api/v1/oauth/apps/{app_id}",
        "PATCH /api/v1/oauth/apps/{app_id}",
        "DELETE /api/v1/oauth/apps/{app_id}",
        "POST /api/v1/oauth/apps/{app_id}/rotate-secret",
    }


def test_the_oauth_protocol_answers_are_typed(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]

    def schema_of(path: str, method: str, status: str) -> str:
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        ref: str = content["schema"]["$ref"]
        return ref.removeprefix("#/components/schemas/")

    assert schema_of("/oauth/token", "post", "200") == "TokenResponse"
    assert schema_of("/oauth/revoke", "post", "200") == "Revoked"
    for path in ("/oauth/token", "/oauth/revoke"):
        assert schema_of(path, "post", "400") == schema_of(path, "post", "401") == "OAuthError"
    metadata = schema_of("/.well-known/oauth-authorization-server", "get", "200")
    assert metadata == "AuthorizationServerMetadata"
    assert {"access_token", "token_type", "expires_in", "scope"} <= set(
        schemas["TokenResponse"]["required"]
    )
    assert schemas["OAuthError"]["required"] == ["error"]
    assert set(http.get("/.well-known/oauth-authorization-server").json()) == set(
        schemas["AuthorizationServerMetadata"]["properties"]
    )
    form = paths["/oauth/token"]["post"]["requestBody"]["content"]
    assert form["application/x-www-form-urlencoded"]["schema"] == {
        "$ref": "#/components/schemas/TokenRequest"
    }
