"""A layered drawing of a small directed acyclic graph, left to right (Sugiyama's method).

The computation graphs drawn here have a few dozen nodes, so the steps are the textbook
ones, written plainly: ranks as late as each node's consumers allow (a leaf stands just
before the operation that uses it, not in a crowded first column); edges longer than one
rank pass through dummy points, so every edge joins neighbouring columns; the rows of each
column are ordered by the barycentre of their neighbours, sweeping back and forth, then
neighbours are swapped wherever that removes a crossing, and the order with the fewest
crossings is kept; each column's rows then move towards their neighbours' (least squares
under the order and one row's spacing), so edges run straight where they can.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise

Point = Hashable  # a node, or a dummy point ("dummy", source, target, rank)
SWEEPS = 8  # barycentre sweeps, each down then up; the graphs here settle within a few
STRAIGHTEN = 6  # rounds of moving rows towards their neighbours


@dataclass(frozen=True)
class Layered:
    """Where each node stands (``rank``: its column; ``row``: its place in the column, in
    row spacings, possibly fractional) and the points each edge passes through."""

    rank: dict[Point, int]
    row: dict[Point, float]
    routes: dict[tuple[Point, Point], list[tuple[int, float]]]  # (source, target) → (rank, row)…
    crossings: int

    @property
    def columns(self) -> int:
        return max(self.rank.values(), default=0) + 1

    @property
    def rows(self) -> float:
        """The rows the drawing spans, dummy points included."""
        rows = [row for route in self.routes.values() for _, row in route]
        return max([*self.row.values(), *rows], default=0.0) + 1.0


def ranks(nodes: Sequence[Point], edges: Sequence[tuple[Point, Point]]) -> dict[Point, int]:
    """Each node as late as its consumers allow: the sinks in the last column, every other
    node one column before its earliest consumer (so a leaf sits beside its use)."""
    consumers: dict[Point, list[Point]] = defaultdict(list)
    producers: dict[Point, list[Point]] = defaultdict(list)
    for source, target in edges:
        consumers[source].append(target)
        producers[target].append(source)
    depth: dict[Point, int] = {}
    for node in topological(nodes, producers):
        depth[node] = 1 + max((depth[p] for p in producers[node]), default=-1)
    last = max(depth.values(), default=0)
    rank: dict[Point, int] = {}
    for node in reversed(topological(nodes, producers)):
        rank[node] = min((rank[c] - 1 for c in consumers[node]), default=last)
    return rank


def topological(nodes: Sequence[Point], producers: dict[Point, list[Point]]) -> list[Point]:
    """``nodes`` with every node after its producers (stable: the given order otherwise)."""
    done: set[Point] = set()
    order: list[Point] = []

    def visit(node: Point) -> None:
        if node in done:
            return
        done.add(node)
        for producer in producers[node]:
            visit(producer)
        order.append(node)

    for node in nodes:
        visit(node)
    return order


def layered(nodes: Sequence[Point], edges: Sequence[tuple[Point, Point]]) -> Layered:
    """Lay out the graph of ``nodes`` and ``edges`` (source → target) in ranked columns."""
    rank = ranks(nodes, edges)
    chains: dict[tuple[Point, Point], list[Point]] = {}
    rank_of: dict[Point, int] = dict(rank)
    for source, target in edges:
        chain: list[Point] = [source]
        for r in range(rank[source] + 1, rank[target]):
            dummy = ("dummy", source, target, r)
            rank_of[dummy] = r
            chain.append(dummy)
        chains[(source, target)] = [*chain, target]
    left: dict[Point, list[Point]] = defaultdict(list)  # neighbours one column before
    right: dict[Point, list[Point]] = defaultdict(list)
    for chain in chains.values():
        for a, b in pairwise(chain):
            right[a].append(b)
            left[b].append(a)
    columns = first_order(nodes, rank_of, left)
    columns, crossings = ordered(columns, left, right)
    row = straightened(columns, left, right)
    routes = {key: [(rank_of[p], row[p]) for p in chain] for key, chain in chains.items()}
    return Layered({n: rank[n] for n in nodes}, {n: row[n] for n in nodes}, routes, crossings)


def first_order(
    nodes: Sequence[Point], rank_of: dict[Point, int], left: dict[Point, list[Point]]
) -> list[list[Point]]:
    """Each column's points in the order a walk back from the sinks meets them: an
    expression's operands in their written order, which is already nearly without crossings."""
    width = max(rank_of.values(), default=0) + 1
    columns: list[list[Point]] = [[] for _ in range(width)]
    seen: set[Point] = set()
    has_right = {p for points in left.values() for p in points}
    sinks = [n for n in nodes if n not in has_right]
    stack = list(reversed(sinks))
    while stack:
        point = stack.pop()
        if point in seen:
            continue
        seen.add(point)
        columns[rank_of[point]].append(point)
        stack.extend(reversed(left[point]))
    for point, r in rank_of.items():  # anything the walk missed (a node on no path to a sink)
        if point not in seen:
            columns[r].append(point)
    return columns


def crossings_between(upper: list[Point], lower: list[Point], right: dict) -> int:
    """The edge crossings between two neighbouring columns."""
    place = {p: i for i, p in enumerate(lower)}
    ends = [place[b] for a in upper for b in sorted(right[a], key=place.__getitem__)]
    return sum(1 for i in range(len(ends)) for j in range(i + 1, len(ends)) if ends[j] < ends[i])


def total_crossings(columns: list[list[Point]], right: dict) -> int:
    return sum(crossings_between(a, b, right) for a, b in pairwise(columns))


def ordered(columns: list[list[Point]], left: dict, right: dict) -> tuple[list[list[Point]], int]:
    """The barycentre heuristic: sweep right (each column by its left neighbours' mean
    place) and back, :data:`SWEEPS` times, keeping the order with the fewest crossings."""
    best = [list(c) for c in columns]
    fewest = total_crossings(best, right)
    current = [list(c) for c in columns]
    for _ in range(SWEEPS):
        if fewest == 0:
            break
        for i in range(1, len(current)):
            current[i] = by_barycentre(current[i], current[i - 1], left)
        for i in range(len(current) - 2, -1, -1):
            current[i] = by_barycentre(current[i], current[i + 1], right)
        transposed(current, right)
        count = total_crossings(current, right)
        if count < fewest:
            best, fewest = [list(c) for c in current], count
    return best, fewest


def transposed(columns: list[list[Point]], right: dict) -> None:
    """Swap neighbours in a column wherever that removes crossings, until none does."""
    improved = True
    while improved:
        improved = False
        for i, column in enumerate(columns):
            for j in range(len(column) - 1):
                before = crossings_near(columns, i, right)
                column[j], column[j + 1] = column[j + 1], column[j]
                if crossings_near(columns, i, right) < before:
                    improved = True
                else:
                    column[j], column[j + 1] = column[j + 1], column[j]


def crossings_near(columns: list[list[Point]], i: int, right: dict) -> int:
    """The crossings on either side of column ``i``."""
    count = crossings_between(columns[i - 1], columns[i], right) if i > 0 else 0
    if i + 1 < len(columns):
        count += crossings_between(columns[i], columns[i + 1], right)
    return count


def by_barycentre(column: list[Point], fixed: list[Point], neighbours: dict) -> list[Point]:
    """``column`` sorted by the mean place of each point's neighbours in ``fixed``; a point
    with none keeps its own place."""
    place = {p: i for i, p in enumerate(fixed)}

    def key(item: tuple[int, Point]) -> float:
        index, point = item
        near = [place[n] for n in neighbours[point] if n in place]
        return sum(near) / len(near) if near else float(index)

    return [point for _, point in sorted(enumerate(column), key=key)]


def straightened(columns: list[list[Point]], left: dict, right: dict) -> dict[Point, float]:
    """Rows for each column's points: in their order, at least one apart, each as near the
    mean row of its neighbours as the others allow."""
    row: dict[Point, float] = {}
    tallest = max((len(c) for c in columns), default=1)
    for column in columns:  # centred on the tallest column to begin with
        for i, point in enumerate(column):
            row[point] = (tallest - len(column)) / 2 + i
    for round_ in range(STRAIGHTEN):
        sweep = columns if round_ % 2 == 0 else columns[::-1]
        for column in sweep:
            wanted = []
            for point in column:
                near = [row[n] for n in (*left[point], *right[point])]
                wanted.append(sum(near) / len(near) if near else row[point])
            for point, placed in zip(column, spaced(wanted), strict=True):
                row[point] = placed
    low = min(row.values(), default=0.0)
    return {point: r - low for point, r in row.items()}


def spaced(wanted: list[float]) -> list[float]:
    """The rows nearest ``wanted`` (least squares) that keep their order at least 1 apart:
    with ``wanted[i] − i`` made non-decreasing by pooling adjacent violators."""
    blocks: list[list[float]] = []  # [sum, count] of each pooled run of shifted values
    for i, value in enumerate(wanted):
        blocks.append([value - i, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    rows: list[float] = []
    for total, count in blocks:
        rows += [total / count] * int(count)
    return [r + i for i, r in enumerate(rows)]
