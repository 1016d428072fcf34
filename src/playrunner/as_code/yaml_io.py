"""YAML in and out, keeping each value's line so errors can point into the file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from playrunner.errors import InvalidRequest


class YamlDocument:
    """A parsed file: its data, and where in the file each part of it came from."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        try:
            self.data: Any = YAML(typ="rt").load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise InvalidRequest(
                f"{source}:{line}: not valid YAML: {exc.problem or exc.context}", field="file"
            ) from None
        except YAMLError as exc:
            raise InvalidRequest(f"{source}: not valid YAML: {exc}", field="file") from None
        if self.data is None:
            self.data = CommentedMap()

    def line_of(self, path: Sequence[int | str]) -> int:
        """The 1-based line of the deepest part of ``path`` found in the file. Steps that do
        not name anything here (such as a union's tag in a validation error) are skipped."""
        node: Any = self.data
        line = 0
        for step in path:
            if isinstance(node, CommentedMap) and step in node:
                line = node.lc.key(step)[0]
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                line = node.lc.item(step)[0]
                node = node[step]
        return line + 1

    def error(self, path: Sequence[int | str], message: str) -> InvalidRequest:
        return InvalidRequest(f"{self.source}:{self.line_of(path)}: {message}", field="file")


def dump(data: Any) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
