"""Every lesson does what its caption says: each claim, checked on its own run, in every
language; the gallery follows the course."""

from __future__ import annotations

import numpy as np
import pytest

from gradtrail import figures, run
from gradtrail.presets import PRESETS, SWEEP_PRESETS, TOPICS
from gradtrail.texts import LANGUAGES

LESSONS = list(PRESETS.values())
MAPS = list(SWEEP_PRESETS.values())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_every_claim_of_a_caption_holds_on_its_run(lesson, lang: str) -> None:
    assert lesson.claims, f"{lesson.id}: a caption with no claim checked on its run"
    result = lesson.result(lang)
    caption = lesson.caption(lang)
    failed = [claim.says for claim in lesson.claims if not claim.holds(result)]
    assert not failed, f"{lesson.id} ({lang}): its run does not show: {failed}"
    for claim in lesson.claims:
        for quoted in claim.quotes:
            assert quoted in caption, f"{lesson.id} ({lang}) caption lacks {quoted!r}"


@pytest.mark.parametrize("lesson", MAPS, ids=[lesson.id for lesson in MAPS])
def test_every_claim_of_a_maps_caption_holds_on_its_sweep(lesson) -> None:
    assert lesson.claims, f"{lesson.id}: a caption with no claim checked on its map"
    result = lesson.sweep_result()
    failed = [claim.says for claim in lesson.claims if not claim.holds(result)]
    assert not failed, f"{lesson.id}: its map does not show: {failed}"
    for lang in LANGUAGES:
        caption = lesson.caption(lang)
        for claim in lesson.claims:
            for quoted in claim.quotes:
                assert quoted in caption, f"{lesson.id} ({lang}) caption lacks {quoted!r}"


def test_the_gallery_follows_the_course() -> None:
    # data → model → loss → gradient → graph → gradient descent → minibatches → momentum → …
    places = [TOPICS.index(lesson.topic) for lesson in LESSONS]
    assert places == sorted(places), [lesson.id for lesson in LESSONS]
    assert set(TOPICS) - {"rmsprop"} <= {lesson.topic for lesson in LESSONS}


def test_the_standardized_lesson_shows_both_minima_in_its_title() -> None:
    result = run(PRESETS["scaling-standardized"].run_spec())
    (w, _), (raw_w, raw_b) = result.surface.minima[0], result.surface.extra["raw_minimum"]
    # The raw line is the one the data were generated from: t = 2x + 1 (noise 1).
    assert (raw_w, raw_b) == pytest.approx((2.0, 1.0), abs=0.3)
    for lang, said in (("en", "on the raw x: w = "), ("ja", "元の x では w = ")):
        title = figures.contour(run(PRESETS["scaling-standardized"].run_spec(), lang=lang))
        assert said + f"{raw_w:.4g}" in title.layout.title.text
        assert f"{w:.4g}" in title.layout.title.text


def test_the_minibatch_lesson_jitters_most_with_one_point_and_not_with_the_full_batch() -> None:
    """Its caption: the path jitters most with batch 1, less with 16, not at all with the
    full batch; and the noise keeps small batches wandering near the minimum."""
    result = run(PRESETS["minibatch"].run_spec())
    [(w, b)] = result.surface.minima

    def jitter(path) -> float:  # path length over the distance covered
        steps = np.hypot(np.diff(path.x), np.diff(path.y))
        return float(steps.sum() / np.hypot(path.x[-1] - path.x[0], path.y[-1] - path.y[0]))

    def wander(path) -> float:  # mean distance to the minimum over the last 100 steps
        return float(np.mean(np.hypot(path.x[-100:] - w, path.y[-100:] - b)))

    one, sixteen, full = result.runs
    assert jitter(one) > jitter(sixteen) > 2 * jitter(full)
    assert jitter(full) < 1.5
    assert wander(one) > wander(sixteen) > wander(full)
