"""The HTTP server `playrunner serve` runs: Granian, with the limits a service on a network
needs before any of Playrunner's code sees a request.

- A request head over ``PLAYRUNNER_MAX_HEADER_BYTES`` or with more than 100 headers is
  answered ``431`` and the connection closed, without reading the rest.
- A client that has not sent a whole head within ``PLAYRUNNER_HEADER_TIMEOUT_SECONDS``, and a
  keep-alive connection idle as long, is disconnected: slow or idle clients cannot hold the
  server's connections.
- HTTP/1.1 only: a request that also asks to upgrade to HTTP/2 cleartext (``Upgrade: h2c``,
  as ``curl --http2`` sends) is served as HTTP/1.1 with its body intact.

The body's own time limit and size limit are the app's (``api/middleware.py``), so they hold
under any server.

Each worker builds the app (``serving_app``), then puts everything built so far out of the
garbage collector's sight (``gc.freeze``): the app, its routes, SQLAlchemy's metadata and
mappers, the templates live as long as the process, and a full collection walking them took
about 190 ms under load, a pause every request in flight waited out (docs/performance.md).
"""

from __future__ import annotations

import copy
import gc
import os
from typing import TYPE_CHECKING, Any

from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LOGGING_CONFIG, LogLevels
from granian.server import Server

from playrunner.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

# Granian's own loggers as Granian configures them, plus Playrunner's on the same console.
LOGGING: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
LOGGING["loggers"]["playrunner"] = {"handlers": ["console"], "level": "INFO", "propagate": False}


def serving_app() -> FastAPI:
    """The app as a worker process serves it: built from the environment, then frozen in
    the collector's permanent generation."""
    from playrunner.app import create_app  # noqa: PLC0415 (the master process never builds it)

    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def serve(settings: Settings, workers: int) -> None:
    """Serve ``serving_app`` until interrupted; each worker process builds the
    app from the environment, as ``settings`` was read."""
    # Options given on the command line reach the workers through their environment: the app
    # builds its absolute URLs from them (Settings.base_url).
    os.environ.update(PLAYRUNNER_HOST=settings.host, PLAYRUNNER_PORT=str(settings.port))
    Server(
        "playrunner.server:serving_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=settings.host,
        port=settings.port,
        workers=workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=int(settings.header_timeout_seconds * 1000),
            keep_alive=True,
            max_buffer_size=settings.max_header_bytes,
        ),
        log_level=LogLevels.info,
        log_dictconfig=LOGGING,
        log_access=False,
    ).serve()
