"""The SDK's models are written by hand: each must still read every answer the server's
OpenAPI document allows (same field names, types that hold the server's, null where the
server may send null, and nothing required that the server may leave out)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from playrunner.app import create_app
from playrunner.client import _models as sdk
from playrunner.config import Settings
from tests.in_process import InProcessApp

TRIGGER = "/api/v2/automations/run-manual-successplay"
# Fields the SDK fills from the answer's headers, not its body.
FROM_HEADERS = {("BulkRun", "replayed")}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('openapi')) / 'playrunner.db'}"
    with InProcessApp(create_app(Settings(database_url=url))) as app, app.client() as http:
        answer: dict[str, Any] = http.get("/openapi.json").json()
        yield answer


def component(document: dict[str, Any], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return document["components"]["schemas"][name], {}


def answer_schema(document: dict[str, Any], path: str, name: str | None = None) -> Any:
    """The JSON answer of POST ``path`` (the member ``name`` of an anyOf)."""
    schema = document["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]
    found = schema["schema"]
    if name is not None:
        found = next(s for s in found["anyOf"] if s["$ref"].endswith("/" + name))
    return resolve(document, found, {}), {}


def resolve(
    document: dict[str, Any], schema: dict[str, Any], local: dict[str, Any]
) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    if ref.startswith("#/$defs/"):
        return resolve(document, local[name], local)
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def variants(
    document: dict[str, Any], schema: dict[str, Any], local: dict[str, Any]
) -> list[dict[str, Any]]:
    schema = resolve(document, schema, local)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return [v for s in schema[combinator] for v in variants(document, s, local)]
    return [schema]


def kinds(document: dict[str, Any], schema: dict[str, Any], local: dict[str, Any]) -> set[str]:
    found = set()
    for variant in variants(document, schema, local):
        kind = variant.get("type")
        if kind is None and "enum" in variant:
            kind = "string" if all(isinstance(v, str) for v in variant["enum"]) else None
        found.add(kind or "any")
    return {"number" if k == "integer" else k for k in found}


def mismatches(
    model: type[BaseModel],
    document: dict[str, Any],
    server: dict[str, Any],
    server_local: dict[str, Any],
) -> Iterator[str]:
    """Why ``model`` could not read some answer ``server`` allows (nothing when it can)."""
    mine = model.model_json_schema(by_alias=True, mode="validation")
    my_local = mine.get("$defs", {})
    properties = server.get("properties", {})
    required = set(server.get("required", []))
    for name, field_schema in mine["properties"].items():
        where = f"{model.__name__}.{name}"
        if name not in properties:
            if (model.__name__, name) not in FROM_HEADERS:
                yield f"{where}: the server has no such field"
            continue
        if name in mine.get("required", []) and name not in required:
            yield f"{where}: required by the SDK, optional on the server"
        theirs = properties[name]
        wanted = kinds(document, theirs, server_local)
        accepted = kinds({}, field_schema, my_local)
        if "any" not in accepted and not wanted <= accepted:
            yield f"{where}: the server sends {sorted(wanted)}, the SDK reads {sorted(accepted)}"
        nested_model = _nested_model(model, name)
        if nested_model is not None:
            theirs_object = next(
                (
                    v
                    for v in variants(document, theirs.get("items", theirs), server_local)
                    if "properties" in v
                ),
                None,
            )
            if theirs_object is None:
                yield f"{where}: the server sends no object here"
            else:
                yield from mismatches(nested_model, document, theirs_object, server_local)


def _nested_model(model: type[BaseModel], alias: str) -> type[BaseModel] | None:
    for name, field in model.model_fields.items():
        if alias in (name, field.alias):
            annotation = field.annotation
            for candidate in (annotation, *getattr(annotation, "__args__", ())):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    return candidate
    return None


CASES: list[tuple[type[BaseModel], Any]] = [
    (sdk.Account, lambda d: component(d, "AccountRead")),
    (sdk.AccountUpsertItem, lambda d: component(d, "BulkItemResult")),
    (sdk.AccountUpsertResult, lambda d: component(d, "BulkResult")),
    (sdk.Play, lambda d: component(d, "PlayRead")),
    (sdk.Task, lambda d: component(d, "TaskRead")),
    (sdk.FormField, lambda d: component(d, "FormFieldRead")),
    (sdk.FormRequest, lambda d: component(d, "FormRequestRead")),
    (sdk.Run, lambda d: component(d, "RunRead")),
    (sdk.RunDetail, lambda d: component(d, "RunDetail")),
    (sdk.DryRun, lambda d: answer_schema(d, TRIGGER, "DryRunResult")),
    (sdk.BulkRun, lambda d: answer_schema(d, TRIGGER + "/bulk")),
]


@pytest.mark.parametrize(("model", "locate"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_the_sdk_reads_what_the_server_documents(
    document: dict[str, Any], model: type[BaseModel], locate: Any
) -> None:
    server, local = locate(document)
    assert list(mismatches(model, document, server, local)) == []


def test_the_check_notices_a_field_the_server_lost(document: dict[str, Any]) -> None:
    server, local = component(document, "TaskRead")
    shrunk = {**server, "properties": dict(server["properties"])}
    del shrunk["properties"]["touchpoint_note"]
    nullable_title = {
        **shrunk,
        "properties": {
            **shrunk["properties"],
            "title": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    assert list(mismatches(sdk.Task, document, nullable_title, local)) == [
        "Task.title: the server sends ['null', 'string'], the SDK reads ['string']",
        "Task.touchpoint_note: the server has no such field",
    ]
