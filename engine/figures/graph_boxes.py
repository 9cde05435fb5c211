"""Where the graph's texts stand, in px: every node with its value and adjoint under it and
its tag over it, every edge's text along its line, none over another or over a node.

Columns are as wide as their own nodes' texts; a tag may reach over the room between
columns where nothing else stands there (else its column is widened to hold it), so a
graph with long tags keeps compact columns. :func:`arrange` tries the narrowest drawing
first and keeps the first in which every text found a free place.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from gradtrail.figures.graph_layout import Layered
from gradtrail.figures.style import text_width, wrapped

NODE = 30  # a node's marker, px
SMALL = 11  # the graph's labels, px: no text of the figure is smaller
LINE = 15  # one line of SMALL text, px
# Where an edge's text may stand: a share of the way along its last segment.
SHARES = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
SIDES = ("top center", "bottom center")  # over the line or under it
GAP = 8  # the least room between two texts, px
WALK_LINES = 3  # an edge's text while the walk crosses it: local, × factor, = product
TAG_WIDTHS = (160, 140, 120, 100, 88)  # a tag wraps at one of these widths, px
STRETCHES = (1.0, 1.25, 1.5, 2.0)  # rows further apart give edges' texts room beside tags
MARGIN = {"l": 12, "r": 12}


@dataclass(frozen=True)
class Box:
    """A text's or a node's extent, in px from the drawing's origin (y down)."""

    left: float
    top: float
    right: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > 0
            and min(self.bottom, other.bottom) - max(self.top, other.top) > 0
        )


def centred(x: float, y: float, width: float, top: float, bottom: float) -> Box:
    return Box(x - width / 2, y + top, x + width / 2, y + bottom)


def widest(lines: list[str]) -> float:
    """The width of the widest of ``lines`` of the graph's labels, px."""
    return max(text_width(line, SMALL) for line in lines)


def columns_at(widths: list[float], gap: float) -> list[float]:
    """Each column's centre, px: ``gap`` (an edge's text and its margins) between
    neighbouring columns."""
    centres: list[float] = []
    for c, width in enumerate(widths):
        centres.append(0.0 if c == 0 else centres[-1] + widths[c - 1] / 2 + gap + width / 2)
    return centres


@dataclass(frozen=True)
class Texts:
    """What stands at each drawn point: its node's label lines (every mode's) and its tag."""

    labels: dict[Hashable, list[str]]  # a point's label lines ([] for a constant)
    tags: dict[Hashable, str]  # a point's tag, unwrapped
    edge_width: float  # the widest an edge's text gets


@dataclass(frozen=True)
class Arranged:
    """A drawing's geometry: where each point and edge text stands, and the boxes."""

    at: dict[Hashable, tuple[float, float]]
    centres: list[float]  # each column's x, px
    row: float  # one row's height, px
    tags: dict[Hashable, list[str]]  # wrapped
    edge_texts: list[tuple[float, float, str]]  # (x, y, side) per edge, in order
    boxes: list[Box]
    fits: bool  # every text found a place meeting no other
    width: float  # from the leftmost text to the rightmost, px, with the margins
    crowded: set[int]  # the columns whose tags meet another text


def arrange(
    lay: Layered, edges: list[tuple[Hashable, Hashable]], texts: Texts, tag_width: float,
    held: frozenset[int], stretch: float = 1.0,
) -> Arranged:  # fmt: skip
    """The geometry with tags wrapped at ``tag_width``: the columns ``held`` are as wide as
    their tags, the others' tags reach over the room beside them."""
    tags = {p: wrapped(tag, tag_width, SMALL) for p, tag in texts.tags.items()}
    widths = [float(NODE)] * lay.columns
    for point, lines in texts.labels.items():
        own = max([widest(lines)] if lines else [0.0])
        if point in tags and lay.rank[point] in held:
            own = max(own, widest(tags[point]))
        widths[lay.rank[point]] = max(widths[lay.rank[point]], own)
    gap = texts.edge_width + 3 * GAP
    centres = columns_at(widths, gap)
    tag_lines = max((len(lines) for lines in tags.values()), default=0)
    tag_height = tag_lines * LINE + (2 if tag_lines else 0)
    # Two edges into one node from neighbouring rows keep their walk's texts apart.
    row = max(tag_height + NODE + 2 + 2 * LINE + 2 * GAP, 2 * (WALK_LINES * LINE + 6) + 4)
    row *= stretch
    at = {p: (centres[lay.rank[p]], lay.row[p] * row) for p in texts.labels}

    fixed: list[Box] = []
    for point, (x, y) in at.items():
        fixed.append(centred(x, y, NODE, -NODE / 2, NODE / 2))
        if texts.labels[point]:
            width = widest(texts.labels[point])
            fixed.append(centred(x, y, width, NODE / 2 + 2, NODE / 2 + 2 + 2 * LINE))
    crowded: set[int] = set()  # the columns of tags that meet another text
    for point, lines in tags.items():
        box = centred_tag(at[point], lines)
        met = [other for other in fixed if box.meets(other)]
        if met:
            crowded.add(lay.rank[point])
            crowded.update(lay.rank[p] for p in tags if centred_tag(at[p], tags[p]) in met)
        fixed.append(box)
    fits = not crowded
    placed: list[Box] = []
    edge_texts: list[tuple[float, float, str]] = []
    tall = WALK_LINES * LINE + 6  # plotly sets a text a few px off its point
    for source, target in edges:
        (r0, y0), (r1, y1) = lay.routes[(source, target)][-2:]  # the segment into the target
        x0, x1 = centres[r0], centres[r1]
        y0, y1 = y0 * row, y1 * row
        # The middle of the room between the two columns first, then nearer either end.
        middle = (x0 + widths[r0] / 2 + x1 - widths[r1] / 2) / 2
        first = (middle - x0) / (x1 - x0) if x1 != x0 else 0.5
        for share, side in ((s, side) for s in (first, *SHARES) for side in SIDES):
            x, y = x0 + share * (x1 - x0), y0 + share * (y1 - y0)
            above = side == SIDES[0]
            box = centred(x, y, texts.edge_width, -tall if above else 0, 0 if above else tall)
            if not any(box.meets(other) for other in (*fixed, *placed)):
                break
        else:
            fits = False
            x, y, side = x0 + first * (x1 - x0), y0 + first * (y1 - y0), SIDES[0]
            box = centred(x, y, texts.edge_width, -tall, 0)
        placed.append(box)
        edge_texts.append((x, y, side))
    boxes = [*fixed, *placed]
    width = max(b.right for b in boxes) - min(b.left for b in boxes) + 2 * GAP
    drawn_width = width + MARGIN["l"] + MARGIN["r"]
    return Arranged(at, centres, row, tags, edge_texts, boxes, fits, drawn_width, crowded)


def centred_tag(at: tuple[float, float], lines: list[str]) -> Box:
    """A tag's box over its node at ``at``, with room beside it."""
    x, y = at
    return centred(x, y, widest(lines) + GAP, -(NODE / 2 + 2 + len(lines) * LINE), -(NODE / 2 + 2))


def arranged_for(
    lay: Layered, edges: list[tuple[Hashable, Hashable]], texts: Texts, box_width: float | None
) -> Arranged:
    """The drawing for a box ``box_width`` px wide: the first that fits the box with no
    text over another, widest tags first, each reaching over the room beside its column
    where nothing stands there, rows spread apart where edges' texts need the room; else
    the narrowest in which no text meets another (the box scrolls)."""
    clean: list[Arranged] = []  # drawings with no text over another, too wide for the box
    tried: list[Arranged] = []
    for tag_width in TAG_WIDTHS:
        held: frozenset[int] = frozenset()
        while True:  # widen the columns whose tags meet another text, until none does
            drawing = arrange(lay, edges, texts, tag_width, held)
            if drawing.crowded <= held:
                break
            held = held | drawing.crowded
        for stretch in STRETCHES:  # taller rather than wider: a tall graph scrolls down
            drawing = arrange(lay, edges, texts, tag_width, held, stretch)
            tried.append(drawing)
            if drawing.fits:
                if box_width is None or drawing.width <= box_width:
                    return drawing
                clean.append(drawing)
                break
    return min(clean or tried, key=lambda d: d.width)
