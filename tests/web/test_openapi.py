"""The OpenAPI description stays complete: ids for SDKs, every error declared."""

from __future__ import annotations

import httpx


def test_trigger_operation_is_described(http: httpx.Client) -> None:
    spec = http.get("/openapi.json").json()
    operation = spec["paths"]["/api/v2/automations/run-manual-successplay"]["post"]
    assert operation["operationId"] == "runManualSuccessPlay"
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429", "500", "503"}
    assert operation["responses"]["200"]["content"]["text/plain"]["example"] == "Success"
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["successplayId", "accountId"]


def test_docs_page_is_served(http: httpx.Client) -> None:
    response = http.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
