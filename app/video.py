"""Videos (MP4, WebM, GIF) of an exported player playing, frame by frame.

The page is the HTML export itself, opened in Debian's Chromium through Playwright
(as the stills are, :mod:`gradtrail.app.images`). Its time cursor is moved to each
frame's step and the page photographed, so every frame is exact whatever the
machine's speed (a screen recording of the page's own clock would drop steps on a
slow one). imageio-ffmpeg's ffmpeg, a binary shipped inside its wheel, encodes them.

Importing this module imports neither Playwright nor ffmpeg: the command line reads
its defaults from here.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gradtrail.app.images import CHROMIUM, offline_player

MISSING = (
    "video needs Playwright, imageio-ffmpeg and Chromium: pip install 'gradtrail[video]' "
    "and apt-get install -y chromium"
)

# What ffmpeg is told for each container: H.264 in MP4 (every slide program plays it),
# VP9 in WebM, and a GIF whose 256 colours are chosen from the video's own frames.
ENCODINGS: dict[str, list[str]] = {
    "mp4": [
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "20", "-movflags", "+faststart",
        # yuv420p halves the chroma: both sides must be even
        "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
    ],
    "webm": [
        "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-crf", "32", "-b:v", "0",
        "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
    ],
    "gif": ["-filter_complex", "split[a][b];[a]palettegen[p];[b][p]paletteuse", "-loop", "0"],
}  # fmt: skip
VIDEO_FORMATS = tuple(ENCODINGS)
# How long the player's replay of a whole run takes at 1× speed (the export's and the
# embed's Play; a video's length when --seconds is not given).
REPLAY_SECONDS = 6.0


@dataclass(frozen=True)
class VideoDefaults:
    """A video's size and timing when the command line does not say (one place)."""

    width: int = 1280
    height: int = 720
    fps: int = 25
    seconds: float = REPLAY_SECONDS
    max_fps: int = 60
    max_seconds: float = 600.0


class VideoUnavailable(RuntimeError):
    """Playwright, imageio-ffmpeg or Chromium is not installed."""


class VideoFailed(RuntimeError):
    """ffmpeg or the page refused: the message says why, in one line."""


def check_available() -> None:
    """Raise :class:`VideoUnavailable` unless every tool a video needs is here; asked
    before any work starts."""
    try:
        import imageio_ffmpeg  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise VideoUnavailable(MISSING) from None
    if not Path(CHROMIUM).exists():
        raise VideoUnavailable(MISSING)


def frame_steps(last: int, frames: int) -> list[int]:
    """The step each of ``frames`` frames shows: the first frame the start, the last
    frame the last step, evenly between."""
    if frames == 1:
        return [last]
    return [round(index * last / (frames - 1)) for index in range(frames)]


@contextmanager
def encoder(path: Path, video_format: str, fps: int) -> Iterator[subprocess.Popen[bytes]]:
    """An ffmpeg process that reads PNG frames on its standard input and writes ``path``."""
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
        "-f", "image2pipe", "-framerate", str(fps), "-c:v", "png", "-i", "-",
        *ENCODINGS[video_format], "-r", str(fps), "-f", video_format, str(path),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    stopped = False
    try:
        yield process
    except BrokenPipeError:
        stopped = True  # ffmpeg quit early: its own message says why
    except BaseException:
        process.kill()
        process.wait()
        raise
    _, errors = process.communicate()
    if stopped or process.returncode != 0:
        last_line = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise VideoFailed(f"ffmpeg could not encode the video: {last_line[0]}")


def record(
    html: str,
    path: Path,
    video_format: str,
    size: tuple[int, int],
    fps: int,
    seconds: float,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Write the player of ``html`` playing its lesson to ``path``; returns the number of
    frames. ``progress(done, total)`` is called after each frame."""
    width, height = size
    frames = max(1, round(fps * seconds))
    with offline_player(html, width, height) as page:
        last = page.evaluate("() => window.gradtrailPlayer.last")
        with encoder(path, video_format, fps) as ffmpeg:
            assert ffmpeg.stdin is not None
            shown, picture = None, b""
            for done, step in enumerate(frame_steps(last, frames), start=1):
                if step != shown:  # a lesson of fewer steps than frames holds some
                    page.evaluate("(step) => window.gradtrailPlayer.seek(step)", step)
                    shown, picture = step, page.screenshot(type="png")
                ffmpeg.stdin.write(picture)
                progress(done, frames)
    return frames
