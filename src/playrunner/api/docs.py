"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, with every script,
style and icon served by Playrunner from the ``fastapi-offline`` package: they work on a
network without internet, where FastAPI's defaults (a CDN, Google Fonts) show a blank page.
A Content-Security-Policy keeps the browser on this server: ReDoc's bundle still names its
attribution logo on a CDN, and the image refused by the policy simply is not shown."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = "/static/api-docs"

router = APIRouter(include_in_schema=False)

# Both viewers start from an inline script and inline styles; ReDoc searches in a worker.
SAME_SERVER_ONLY = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
}


def _same_server_only(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(SAME_SERVER_ONLY)
    return page


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Playrunner API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon.png",
    )
    return _same_server_only(page)


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    page = get_redoc_html(
        openapi_url="/openapi.json",
        title="Playrunner API",
        redoc_js_url=f"{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    return _same_server_only(page)


def install_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="api-docs")
