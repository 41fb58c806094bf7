"""YAML loading that remembers where every key and value came from.

``load(path)`` returns plain dicts/lists whose containers are ``Mapping``/``Sequence``
subclasses carrying the line numbers of their keys and items, so validation
errors can say ``file:line: reason``. Duplicate keys are rejected (PyYAML would
silently keep the last one).
"""

import yaml


class SourceError(Exception):
    """A problem in the YAML file, located by file and line."""

    def __init__(self, path, line, reason):
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


class Mapping(dict):
    """A dict that knows the line of itself, of each key and of each value."""

    line = 0
    key_lines: dict
    value_lines: dict

    def line_of(self, key):
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A list that knows its own line and each item's line."""

    line = 0
    item_lines: list

    def line_of(self, index):
        return self.item_lines[index]


def _convert(loader, node, path):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = Mapping()
        result.line, result.key_lines, result.value_lines = line, {}, {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, path)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise SourceError(path, key_line, f"keys must be text, not {key!r}")
            if key in result:
                raise SourceError(
                    path,
                    key_line,
                    f"duplicate key {key!r} (first at line {result.key_lines[key]})",
                )
            result[key] = _convert(loader, value_node, path)
            result.key_lines[key] = key_line
            result.value_lines[key] = value_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        result = Sequence(_convert(loader, item, path) for item in node.value)
        result.line = line
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        return result
    return loader.construct_object(node, deep=True)


def load(path):
    """Parse ``path``; raise SourceError with the line on any syntax problem."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise SourceError(path, 0, exc.strerror or str(exc)) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Mapping()
        return _convert(loader, node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise SourceError(path, line, f"invalid YAML: {exc.problem}") from exc
    finally:
        loader.dispose()
