"""The area facet as a tree: Land, then its Kreise, then their Gemeinden.

A dataset is indexed under its areas and every area above them
(`ancestors`), so a Kreis counts the datasets of its Gemeinden and filtering
by a Kreis finds them. The facet's items come back from Solr as a flat list;
`tree` puts each under its parent from the region vocabulary."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A concept's parent URI, or None (the vocabulary's tvoc:parent).
ParentOf = Callable[[str], "str | None"]


def ancestors(uri: str, parent_of: ParentOf) -> list[str]:
    """The areas above `uri`, nearest first; stops at a cycle."""
    found: list[str] = []
    current = parent_of(uri)
    while current and current != uri and current not in found:
        found.append(current)
        current = parent_of(current)
    return found


def with_ancestors(uris: Iterable[str], parent_of: ParentOf) -> list[str]:
    """`uris` and every area above them, each once, in first-seen order."""
    result: dict[str, None] = {}
    for uri in uris:
        result[uri] = None
        for above in ancestors(uri, parent_of):
            result[above] = None
    return list(result)


@dataclass
class Node:
    """One area of the tree: its facet item (None when Solr did not return the
    area itself, only areas below it) and the areas below it."""
    uri: str
    item: dict[str, Any] | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def count(self) -> int:
        return int(self.item["count"]) if self.item else 0


def tree(items: list[dict[str, Any]], parent_of: ParentOf,
         label_of: Callable[[dict[str, Any]], str] | None = None) -> list[Node]:
    """The facet items as a forest: each item under its nearest ancestor in the
    vocabulary (an ancestor without an item of its own becomes a node without
    item), siblings by count (descending), then by label."""
    nodes: dict[str, Node] = {}
    roots: list[Node] = []

    def node_for(uri: str) -> Node:
        if uri in nodes:
            return nodes[uri]
        node = nodes[uri] = Node(uri)
        chain = ancestors(uri, parent_of)
        if chain:
            node_for(chain[0]).children.append(node)
        else:
            roots.append(node)
        return node

    for item in items:
        node_for(item["name"]).item = item

    def key(node: Node) -> tuple[int, str]:
        label = label_of(node.item) if (label_of and node.item) else node.uri
        return (-node.count, label.casefold())

    def order(level: list[Node]) -> list[Node]:
        level.sort(key=key)
        for node in level:
            order(node.children)
        return level

    return order(roots)


def flatten(forest: list[Node], depth: int = 0) -> list[tuple[int, Node]]:
    """The tree in display order, with each node's depth (0 = top)."""
    rows: list[tuple[int, Node]] = []
    for node in forest:
        rows.append((depth, node))
        rows.extend(flatten(node.children, depth + 1))
    return rows
