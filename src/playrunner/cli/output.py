"""How commands print: tables for people, JSON for scripts, errors on stderr."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

console = Console()
err_console = Console(stderr=True)

# Tables have no borders: two spaces between columns, none at the edges.
GAP = 2
# A shortened column keeps this many characters (or its header's) while columns can be left
# out instead, and at least SHORTEST when they cannot.
READABLE = 12
SHORTEST = 6


@dataclass(frozen=True)
class Column:
    """A table column. ``kind``: ``whole`` for what is useless cut (ids, keys, client ids,
    scopes, dates, counts): always whole, on one line; ``text`` is cut short with "…" when the
    terminal is too narrow; ``wrap`` wraps onto more lines instead. ``drop``: when not every
    column fits, droppable ones (``drop`` > 0) are added back lowest ``drop`` first while they
    fit, and the others are named under the table; 0: always shown."""

    header: str
    kind: Literal["whole", "text", "wrap"] = "text"
    drop: int = 0
    justify: Literal["left", "right"] = "left"


def print_json(value: Any) -> None:
    import orjson
    from pydantic import BaseModel

    def default(obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="json")
        raise TypeError

    typer.echo(orjson.dumps(value, default=default, option=orjson.OPT_INDENT_2).decode())


def print_table(
    title: str | None,
    columns: Sequence[Column | str],
    rows: Sequence[Sequence[Any]],
    *,
    target: Console | None = None,
) -> None:
    """Rows as a table that fits the terminal: ids whole and on one line, other columns
    shortened, then the least needed left out (see ``Column``)."""
    out = target or console
    specs = [column if isinstance(column, Column) else Column(column) for column in columns]
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    shown, widths = _layout(specs, cells, out.width)
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=None,
        pad_edge=False,
        padding=(0, GAP // 2),
        header_style="bold",
    )
    for index, width in zip(shown, widths, strict=True):
        spec = specs[index]
        table.add_column(
            Text(spec.header),
            width=width,
            no_wrap=spec.kind != "wrap",
            overflow="fold" if spec.kind == "wrap" else "ellipsis",
            justify=spec.justify,
        )
    for row in cells:
        # Text, not markup: a value is printed as it is, brackets and all.
        table.add_row(*(Text(row[index]) for index in shown))
    out.print(table)
    left_out = [specs[index].header for index in range(len(specs)) if index not in shown]
    if left_out:
        out.print(
            f"Not shown at this width: {', '.join(left_out)} (--json has every field).",
            style="dim",
            highlight=False,
        )


# How columns are narrowed, in turn: cut text to a readable width, then wrap, then both to
# the shortest.
_NARROWING = ((("text",), READABLE), (("wrap",), READABLE), (("text", "wrap"), SHORTEST))


def _layout(
    specs: Sequence[Column], cells: Sequence[Sequence[str]], available: int
) -> tuple[list[int], list[int]]:
    """Which columns to show, and their widths: as wide as their content when that fits;
    else the droppable columns that fit at a readable width, then the widest ``text`` columns
    narrowed first, then ``wrap`` ones."""
    natural = [
        max(_width(text) for text in [spec.header, *(row[index] for row in cells)])
        for index, spec in enumerate(specs)
    ]

    def floor(index: int, shortest: int) -> int:
        spec = specs[index]
        if spec.kind == "whole":
            return natural[index]
        return min(natural[index], max(shortest, cell_len(spec.header)))

    def fits(columns: list[int]) -> bool:
        return sum(floor(i, READABLE) for i in columns) + GAP * (len(columns) - 1) <= available

    shown = list(range(len(specs)))
    if not fits(shown):
        shown = [index for index in shown if specs[index].drop == 0]
        for index in sorted(
            (index for index, spec in enumerate(specs) if spec.drop), key=lambda i: specs[i].drop
        ):
            if fits(sorted([*shown, index])):
                shown = sorted([*shown, index])
    widths = {index: natural[index] for index in shown}
    excess = sum(widths.values()) + GAP * (len(shown) - 1) - available
    for kinds, shortest in _NARROWING:
        while excess > 0:
            narrowable = [
                i for i in shown if specs[i].kind in kinds and widths[i] > floor(i, shortest)
            ]
            if not narrowable:
                break
            widths[max(narrowable, key=lambda i: widths[i])] -= 1
            excess -= 1
    return shown, [widths[index] for index in shown]


def _width(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def print_empty(what: str, next_step: str, filters: Mapping[str, object] | None = None) -> None:
    """What a list with nothing in it prints instead of an empty table: that there is none
    (of those the options given ask for), and what to do next."""
    given = " ".join(
        f"{option} {value}" for option, value in (filters or {}).items() if value is not None
    )
    found = f"No {what} match {given}." if given else f"No {what} yet."
    console.print(f"{found} {next_step}", highlight=False, markup=False)


def fail(message: str) -> None:
    # The message may quote what the user typed: never read it as markup.
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
