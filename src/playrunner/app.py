"""``create_app``: the one place that wires routers, error handlers and storage together."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.staticfiles import StaticFiles

from playrunner import __version__
from playrunner.accounts.admin_pages import router as accounts_admin_pages
from playrunner.accounts.pages import router as accounts_pages
from playrunner.accounts.router import router as accounts_router
from playrunner.api.docs import install_docs
from playrunner.api.errors import install_error_handlers
from playrunner.api.middleware import (
    CountRequests,
    ForwardedHeaders,
    RequestContextMiddleware,
    RequestsInFlight,
)
from playrunner.api.openapi import Problem, with_components, without_validation_422
from playrunner.api.redirects import install_relative_slash_redirects
from playrunner.api.state import AppState
from playrunner.auth.openapi import with_security
from playrunner.auth.pages import router as auth_pages
from playrunner.automations.pages import router as automations_pages
from playrunner.automations.router import router as automations_router
from playrunner.automations.router import trigger as trigger_router
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.db_failures import describe_failure
from playrunner.flows.pages import router as flows_pages
from playrunner.flows.router import router as flows_router
from playrunner.form_requests.pages import router as form_requests_pages
from playrunner.form_requests.router import router as form_requests_router
from playrunner.forms.pages import router as forms_pages
from playrunner.forms.router import router as forms_router
from playrunner.health.router import router as health_router
from playrunner.inbound.pages import router as event_sources_pages
from playrunner.inbound.router import receiver as events_receiver
from playrunner.inbound.router import router as event_sources_router
from playrunner.logs import summarise_repeats
from playrunner.notifications import service as notifications_service
from playrunner.notifications.pages import router as notifications_pages
from playrunner.oauth.apps_pages import router as apps_pages
from playrunner.oauth.router import FORM_MODELS as oauth_form_models
from playrunner.oauth.router import router as oauth_router
from playrunner.outbox.kinds import every_kind
from playrunner.outbox.workers import Workers
from playrunner.plays.pages import router as plays_pages
from playrunner.plays.router import router as plays_router
from playrunner.ratelimit.factory import create_rate_limiter
from playrunner.runs.pages import router as runs_pages
from playrunner.runs.router import router as runs_router
from playrunner.tasks.pages import router as tasks_pages
from playrunner.tasks.router import router as tasks_router
from playrunner.tenants.router import router as tenants_router
from playrunner.tokens.pages import router as tokens_pages
from playrunner.tokens.router import router as tokens_router
from playrunner.users.pages import router as users_pages
from playrunner.users.router import router as users_router
from playrunner.webhooks.pages import router as webhooks_pages
from playrunner.webhooks.router import router as webhooks_router
from playrunner.work.pages import router as work_pages

logger = logging.getLogger("playrunner")


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """The whole service. ``database`` replaces the one ``settings`` names (tests that keep
    every test's work in one transaction pass theirs)."""
    settings = settings or Settings()
    summarise_repeats()
    database = database or Database(
        settings.database_url,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.database_pool_size,
        serving=True,
    )

    database.context.update(notifications_service.process_context(settings))
    rate_limiter = create_rate_limiter(settings)
    in_flight = RequestsInFlight()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        workers = None
        if not settings.email_enabled:
            logger.info(
                "Email is off: set PLAYRUNNER_SMTP_HOST and PLAYRUNNER_SMTP_FROM to send it"
            )
        if settings.webhook_workers:
            workers = Workers(settings, database, every_kind(), traffic=in_flight)
            try:
                work_waiting = await database.read(workers.work_waiting)
            except SQLAlchemyError as exc:  # not migrated yet, or down: start on first work
                logger.warning("outbox workers wait for the database: %s", describe_failure(exc))
                work_waiting = False
            workers.serve(settings.webhook_workers, start=work_waiting)
        logger.info("Playrunner is ready (process %d)", os.getpid())
        yield
        if workers is not None:
            workers.stop()
        state: AppState = app.state.playrunner
        for task in list(state.background):
            task.cancel()
        await rate_limiter.close()
        await database.aclose()

    app = FastAPI(
        title="Playrunner",
        version=__version__,
        summary="Totango-compatible manual SuccessPlays, self-hosted.",
        lifespan=lifespan,
        docs_url=None,  # served by api/docs.py, without a CDN
        redoc_url=None,
        # FastAPI's native OpenTelemetry: Playrunner sets up no provider, and asking
        # whether one was set up cost 3% of a received event (docs/performance.md).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.playrunner = AppState(
        settings=settings,
        database=database,
        rate_limiter=rate_limiter,
    )
    install_error_handlers(app)
    install_relative_slash_redirects(app.router)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
    )
    app.add_middleware(CountRequests, counter=in_flight)
    # Outermost, so everything inside sees the client's own address and scheme.
    app.add_middleware(ForwardedHeaders, trusted=settings.forwarded_allow_ips)
    # The hottest routes first, as direct routes (api/routes.py): routes are tried in order,
    # and FastAPI's matching through included routers costs per route tried.
    app.router.routes.extend([*trigger_router.routes, *events_receiver.routes])
    app.include_router(automations_router)
    for router in (
        accounts_router,
        users_router,
        tenants_router,
        tokens_router,
        flows_router,
        forms_router,
        plays_router,
        tasks_router,
        form_requests_router,
        runs_router,
        webhooks_router,
        event_sources_router,
        oauth_router,
    ):
        app.include_router(router)
    app.include_router(health_router)
    # The web app: pages on the same services, and the assets they load (all served here).
    for pages in (
        auth_pages,
        work_pages,
        tasks_pages,
        form_requests_pages,
        accounts_admin_pages,  # before accounts_pages: /accounts/new is not an account
        accounts_pages,
        automations_pages,
        plays_pages,
        runs_pages,
        forms_pages,
        flows_pages,
        users_pages,
        tokens_pages,
        apps_pages,
        webhooks_pages,
        event_sources_pages,
        notifications_pages,
    ):
        app.include_router(pages)
    install_docs(app)
    app.mount("/static", StaticFiles(packages=[("playrunner.ui", "static")]), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            documented: list[type[BaseModel]] = [Problem, *oauth_form_models]
            schema = with_components(without_validation_422(schema), documented)
            app.openapi_schema = with_security(schema, app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
