"""Two-class data in the plane for the network kind, drawn by named generators.

One shape for every generator (TensorFlow Playground's habit): ``n`` points from one
generator seeded with ``seed``, the first ``n // 2`` of class 0 and the rest of class 1,
each point then moved by ``noise`` × a standard normal draw per coordinate. The shapes
fit in ``[-1.5, 1.5]²`` (the blobs about it):

- ``xor``: uniform in ``[-1, 1]²``, class 1 where ``x₁ x₂ > 0`` (drawn per class: class 0
  in the two quadrants where the product is negative);
- ``circles``: class 0 on the unit circle, class 1 on the circle of radius ½;
- ``moons``: sklearn's two interleaved half circles, shifted to be centred;
- ``blobs``: two normal blobs of spread 0.4 about ``(−1, −1)`` and ``(1, 1)``;
- ``spiral``: two interleaved arms of 1.75 turns from the centre out to radius 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, get_args

import numpy as np
from pydantic import ConfigDict, Field

from gradtrail.fields import Seed, Strict

MAX_NETWORK_POINTS = 5_000  # each step visits every sample through every layer
GeneratorKind = Literal["xor", "circles", "moons", "blobs", "spiral"]
GENERATORS: tuple[GeneratorKind, ...] = get_args(GeneratorKind)


class NetworkGenerate(Strict):
    """Generated two-class points: the shape ``kind``, ``n`` points, ``noise``, ``seed``."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: a cache key

    kind: GeneratorKind = "xor"
    n: Annotated[int, Field(strict=True, ge=2, le=MAX_NETWORK_POINTS)] = 200
    noise: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0, le=10.0)] = 0.1
    seed: Seed = 0


def xor(rng: np.random.Generator, count: int, label: int) -> np.ndarray:
    """Points in the quadrants where the sign of ``x₁ x₂`` says ``label``."""
    magnitude = rng.uniform(0.0, 1.0, (count, 2))
    first = rng.choice([-1.0, 1.0], count)
    second = first if label == 1 else -first
    return magnitude * np.stack([first, second], axis=1)


def circles(rng: np.random.Generator, count: int, label: int) -> np.ndarray:
    angle = rng.uniform(0.0, 2.0 * np.pi, count)
    radius = 1.0 if label == 0 else 0.5
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def moons(rng: np.random.Generator, count: int, label: int) -> np.ndarray:
    angle = rng.uniform(0.0, np.pi, count)
    if label == 0:
        return np.stack([np.cos(angle) - 0.5, np.sin(angle) - 0.25], axis=1)
    return np.stack([0.5 - np.cos(angle), 0.25 - np.sin(angle)], axis=1)


def blobs(rng: np.random.Generator, count: int, label: int) -> np.ndarray:
    centre = -1.0 if label == 0 else 1.0
    return centre + 0.4 * rng.standard_normal((count, 2))


def spiral(rng: np.random.Generator, count: int, label: int) -> np.ndarray:
    along = rng.uniform(0.0, 1.0, count)
    angle = 1.75 * 2.0 * np.pi * along + np.pi * label
    return along[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)


SHAPES: dict[GeneratorKind, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    "xor": xor, "circles": circles, "moons": moons, "blobs": blobs, "spiral": spiral,
}  # fmt: skip
assert tuple(SHAPES) == GENERATORS


def generate_points(settings: NetworkGenerate) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(n, 2)`` and classes ``(n,)`` as the module says, from one seeded generator."""
    rng = np.random.default_rng(settings.seed)
    zeros = settings.n // 2
    shape = SHAPES[settings.kind]
    x = np.concatenate([shape(rng, zeros, 0), shape(rng, settings.n - zeros, 1)])
    x = x + settings.noise * rng.standard_normal(x.shape)
    t = np.concatenate([np.zeros(zeros), np.ones(settings.n - zeros)])
    return x, t
