"""The one Jinja environment of the web app: every feature's ``templates/<feature>/`` folder,
autoescaped, undefined names an error, and the filters pages share (local times, due dates,
statuses)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from playrunner.clock import today
from playrunner.models import FormRequestStatus, TaskStatus

# The features that have pages, each with its templates in ``<feature>/templates/<feature>/``.
FEATURES = (
    "ui",
    "auth",
    "work",
    "tasks",
    "form_requests",
    "accounts",
    "automations",
    "plays",
    "runs",
    "forms",
    "flows",
    "users",
    "tokens",
    "oauth",
    "webhooks",
    "notifications",
    "inbound",
)

STATUS_LABELS = {
    TaskStatus.NOT_STARTED: "Not Started",
    TaskStatus.STARTED: "Started",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.CANCELLED: "Cancelled",
    FormRequestStatus.OPEN: "Open",
    FormRequestStatus.SUBMITTED: "Submitted",
    FormRequestStatus.CANCELLED: "Cancelled",
}
PRIORITY_LABELS = {1: "High", 2: "Normal", 3: "Low"}
# Where a run came from, as the pages say it (``models.RunSource``).
RUN_SOURCE_LABELS = {"api": "API", "cli": "CLI", "web": "Web app", "event": "Event play"}


def run_source(value: Any) -> str:
    text = str(getattr(value, "value", value))
    return RUN_SOURCE_LABELS.get(text, text)


def moment(value: datetime | None) -> Markup:
    """A moment for people: the viewer's local time once the page's script has run, UTC
    (said so) before or without it."""
    if value is None:
        return Markup("")
    iso = value.isoformat()
    shown = value.strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{}" data-local>{}</time>').format(iso, shown)


def due(value: date | None, is_open: bool = True) -> Markup:
    """A due date with how far it is ("due tomorrow", "3 days overdue"), the date beside it."""
    if value is None:
        return Markup('<span class="muted">No due date</span>')
    days = (value - today()).days
    if not is_open:
        label, tone = "", ""
    elif days < 0:
        label = f"{-days} day{'s' if days != -1 else ''} overdue"
        tone = "overdue"
    elif days == 0:
        label, tone = "due today", "soon"
    elif days == 1:
        label, tone = "due tomorrow", "soon"
    else:
        label, tone = f"due in {days} days", ""
    text = escape(value.isoformat())
    if not label:
        return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), text)
    shown = Markup('<time datetime="{}" class="due {}">{}</time>').format(
        value.isoformat(), tone, text
    )
    return shown + Markup(' <span class="due {}">{}</span>').format(tone, label)


def attribute_value(value: Any) -> str:
    """An account attribute as people read it: yes/no, lists joined, numbers as they are."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def field_label(path: str) -> str:
    """A field's name in an error summary: ``actions[0].assignee.role`` is "Action 1, assignee
    role"; ``touchpoint_note`` is "Touchpoint note"."""
    words = re.sub(
        r"(\w+)\[(\d+)\]", lambda m: f"{m.group(1).rstrip('s')} {int(m.group(2)) + 1},", path
    )
    words = words.replace(",.", ", ").replace(".", " ").replace("_", " ").replace("-", " ")
    words = words.strip(" ,")
    return words[:1].upper() + words[1:]


def zip_self(values: Any) -> list[tuple[Any, Any]]:
    """Options whose value is also their label."""
    return [(value, value) for value in values]


def status_label(value: Any) -> str:
    return STATUS_LABELS.get(value, str(value))


@cache
def _static_version(path: str) -> str:
    """A short hash of a static file, so a new release is fetched instead of a cached one."""
    content = files("playrunner.ui").joinpath("static", path).read_bytes()
    return hashlib.sha256(content).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_static_version(path)}"


def _environment() -> Environment:
    environment = Environment(
        loader=ChoiceLoader([PackageLoader(f"playrunner.{f}", "templates") for f in FEATURES]),
        autoescape=True,
        auto_reload=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        moment=moment,
        due=due,
        status_label=status_label,
        priority_label=PRIORITY_LABELS.get,
        run_source=run_source,
        zip_self=zip_self,
        attribute_value=attribute_value,
        field_label=field_label,
    )
    environment.globals.update(static_url=static_url)
    return environment


ENVIRONMENT = _environment()
