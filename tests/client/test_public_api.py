"""The SDK's public surface: ``__all__``, one documented exception hierarchy, the two clients
kept in step, and an import that does not pull in the server."""

from __future__ import annotations

import inspect
import subprocess
import sys

import playrunner.client
from playrunner.client import (
    AsyncClient,
    Client,
    PlayrunnerClientError,
    _exceptions,
)


def test_all_names_exactly_the_public_members() -> None:
    exported = set(playrunner.client.__all__)
    public = {name for name in vars(playrunner.client) if not name.startswith("_")}
    assert exported == public
    assert len(playrunner.client.__all__) == len(exported)
    for name in exported:
        member = getattr(playrunner.client, name)
        if inspect.isclass(member):
            assert member.__module__ == "playrunner.client", name


def test_every_error_is_under_one_base_and_in_the_one_docstring() -> None:
    errors = [
        member
        for member in vars(_exceptions).values()
        if inspect.isclass(member) and issubclass(member, Exception)
    ]
    documented = _exceptions.__doc__ or ""
    assert len(errors) == 17
    for error in errors:
        assert issubclass(error, PlayrunnerClientError)
        assert error.__name__ in documented
        assert error.__name__ in playrunner.client.__all__


def test_client_and_async_client_offer_the_same_calls() -> None:
    def calls(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in vars(cls).items()
            if not name.startswith("_") and inspect.isfunction(member)
        }

    sync, asynchronous = calls(Client), calls(AsyncClient)
    assert set(sync) - {"close"} == set(asynchronous) - {"aclose"}
    for name, signature in sync.items():
        if name == "close":
            continue
        assert list(asynchronous[name].parameters) == list(signature.parameters), name
        assert inspect.iscoroutinefunction(getattr(AsyncClient, name)), name
        assert getattr(Client, name).__doc__ == getattr(AsyncClient, name).__doc__, name
    # What a script would look for first.
    assert {"run_manual_successplay", "dry_run", "run_bulk", "get_run", "list_runs"} <= set(sync)
    for resource in ("accounts", "plays", "tasks", "form_requests"):
        assert f"list_{resource}" in sync


def test_importing_the_client_does_not_import_the_server() -> None:
    code = (
        "import sys, playrunner.client, playrunner.cli.trigger;"
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'starlette', 'alembic', 'orjson')"
        " if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"


def test_the_package_is_typed() -> None:
    assert playrunner.client.__file__ is not None
    marker = inspect.getfile(playrunner.client).replace("__init__.py", "py.typed")
    with open(marker, encoding="utf-8") as typed:
        assert typed.read() == ""
