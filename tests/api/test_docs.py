"""``/docs`` and ``/redoc`` load every script, style and icon from Playrunner itself."""

from __future__ import annotations

import re

import pytest

from tests.worlds import ApiWorld


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_nothing_from_elsewhere(api: ApiWorld, page: str) -> None:
    html = api.admin.get(page)
    assert html.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text) + re.findall(
        r"url: '([^']+)'", html.text
    )
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        assert api.admin.get(asset).status_code == 200, asset
    assert "fonts.googleapis" not in html.text
