"""``gradtrail export … -o lesson.mp4``: the lesson playing, frame by frame (#32)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest

from gradtrail.app import cli
from gradtrail.app.video import MISSING, frame_steps
from tests.app.test_cli import gradtrail

CHROMIUM = "/usr/bin/chromium"


def test_frames_step_from_the_start_to_the_last_step() -> None:
    assert frame_steps(120, 5) == [0, 30, 60, 90, 120]
    assert frame_steps(3, 7) == [0, 0, 1, 2, 2, 2, 3]  # fewer steps than frames: some held
    assert frame_steps(50, 1) == [50]


def test_without_the_extra_one_line_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)  # not installed
    out = tmp_path / "ravine.mp4"
    assert cli.main(["export", "--preset", "ravine", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"gradtrail: {MISSING}\n"
    assert "pip install 'gradtrail[video]'" in captured.err
    assert not out.exists()


# Gradient descent on a round bowl, slowly enough that its path still grows visibly in
# the last fifth of its steps (a lesson's paths settle early: at 320 × 200 the ravine's
# last frames differ by a pixel or two).
STEADY = {
    "surface": {"id": "quadratic", "params": {"l1": 1, "l2": 1}},
    "start": [-4, 3],
    "steps": 100,
    "optimizers": [{"id": "gd", "params": {"lr": 0.01}}],
}


@pytest.mark.browser  # records the player in Debian's Chromium
@pytest.mark.parametrize("suffix", ["mp4", "webm", "gif"])
def test_a_run_plays_in_a_video(tmp_path: Path, suffix: str) -> None:
    """1 s at 5 frames a second, 320 × 200: five frames, each further along the path."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Chromium: apt-get install -y chromium")
        pytest.skip("needs Chromium: sudo apt-get install -y chromium")
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg", reason="pip install -e '.[test]'")
    import numpy as np

    spec = tmp_path / "steady.json"
    spec.write_text(json.dumps(STEADY))
    out = tmp_path / f"steady.{suffix}"
    done = gradtrail(
        "export", str(spec), "-o", str(out),
        "--fps", "5", "--seconds", "1", "--width", "320", "--height", "200",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar off a terminal
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == 5
    assert seconds == pytest.approx(1.0, abs=0.21)
    decoded = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(out),
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    pictures = np.frombuffer(decoded.stdout, np.uint8).reshape(-1, 200, 320, 3)
    assert len(pictures) == 5  # and 320 × 200 each (the reshape)
    # The path grows: from each frame to the next, dozens of pixels change colour (the
    # encoders' own noise moves a few by less).
    changed = [
        int((np.abs(after.astype(int) - before.astype(int)).max(axis=2) > 40).sum())
        for before, after in itertools.pairwise(pictures)
    ]
    assert min(changed) >= 20, changed
