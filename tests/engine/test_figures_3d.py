"""The 3-D figure shows its paths: seen from its camera, the surface hides no part of them.

Plotly draws the scene in a box centred on the origin whose sides are the aspect ratio,
each axis's range mapped onto its side, and puts the camera's eye in the same units. A
path point is hidden when the straight line from the eye to it passes under the surface.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import figures, run
from gradtrail.presets import PRESETS

SAMPLES = 400  # along each line of sight


def hidden_fraction(figure, camera: dict) -> dict[str, float]:
    """For each path, the share of its points the surface hides from ``camera``'s eye."""
    surface = figure.data[0]
    x, y, z = (np.asarray(v, dtype=float) for v in (surface.x, surface.y, surface.z))
    paths = [t for t in figure.data if t.type == "scatter3d"]
    lows = [x.min(), y.min(), np.nanmin(z)]
    highs = [x.max(), y.max(), max(np.nanmax(z), *(np.nanmax(t.z) for t in paths))]
    aspect = figure.layout.scene.aspectratio
    sides = np.array([aspect.x, aspect.y, aspect.z]) if aspect.x else np.ones(3)
    low, high = np.array(lows), np.array(highs)

    def box(points: np.ndarray) -> np.ndarray:
        return ((points - low) / (high - low) - 0.5) * sides

    def data(points: np.ndarray) -> np.ndarray:
        return (points / sides + 0.5) * (high - low) + low

    eye = np.array([camera["x"], camera["y"], camera["z"]])
    shares = {}
    for path in paths:
        points = box(np.column_stack([path.x, path.y, path.z]).astype(float))
        t = np.linspace(0.0, 0.98, SAMPLES)[None, :, None]  # stop short of the point itself
        sight = data(eye + t * (points[:, None, :] - eye))
        i = np.clip(np.searchsorted(x, sight[..., 0]), 1, x.size - 1)
        j = np.clip(np.searchsorted(y, sight[..., 1]), 1, y.size - 1)
        inside = (sight[..., 0] >= x[0]) & (sight[..., 0] <= x[-1])
        inside &= (sight[..., 1] >= y[0]) & (sight[..., 1] <= y[-1])
        under = inside & (sight[..., 2] < z[j, i])  # the grid's z is indexed [y, x]
        shares[path.name] = float(np.mean(under.any(axis=1)))
    return shares


@pytest.mark.parametrize("lesson", ["ravine", "himmelblau"])
def test_no_path_is_hidden_from_the_figures_camera(lesson: str) -> None:
    figure = figures.surface3d(run(PRESETS[lesson].run_spec()))
    camera = figure.layout.scene.camera.eye
    shares = hidden_fraction(figure, {"x": camera.x, "y": camera.y, "z": camera.z})
    assert max(shares.values()) <= 0.02, shares


def test_the_check_sees_a_hidden_path() -> None:
    """plotly's default camera, low over Himmelblau: the peaks hide part of the paths."""
    figure = figures.surface3d(run(PRESETS["himmelblau"].run_spec()))
    shares = hidden_fraction(figure, {"x": 1.25, "y": 1.25, "z": 1.25})
    assert max(shares.values()) > 0.1, shares


def test_paths_ride_just_above_the_surface() -> None:
    """Lifted by a small share of the height range, so the surface does not cut them."""
    figure = figures.surface3d(run(PRESETS["ravine"].run_spec()))
    z = np.asarray(figure.data[0].z, dtype=float)
    lift = figure.layout.meta["z_lift"]
    assert 0 < lift <= 0.02 * (np.nanmax(z) - np.nanmin(z))
    result = run(PRESETS["ravine"].run_spec())
    for trace, path in zip(figure.data[1:], result.runs, strict=True):
        np.testing.assert_allclose(np.asarray(trace.z), path.loss + lift)
