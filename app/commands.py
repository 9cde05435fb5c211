"""What the ``gradtrail`` commands other than ``serve`` do (they need the engine)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
from pydantic import ValidationError

from gradtrail import (
    RunSpec,
    Simulation,
    SpecError,
    gather,
    list_optimizers,
    list_surfaces,
)
from gradtrail.app.formula_text import plain_formula
from gradtrail.app.jsonio import dumps
from gradtrail.app.settings import get_settings
from gradtrail.app.video import VIDEO_FORMATS
from gradtrail.presets import PRESETS


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit status 2."""


def read_bytes(source: str) -> bytes:
    """A file's bytes, or standard input's when ``source`` is ``-``: no more than the
    server takes in a request body (``/dev/zero`` or an endless pipe is refused, not read
    until memory runs out)."""
    limit = get_settings().max_body_bytes
    try:
        if source == "-":
            content = sys.stdin.buffer.read(limit + 1)
        else:
            with open(source, "rb") as file:
                content = file.read(limit + 1)
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror}") from None
    if len(content) > limit:
        raise UsageError(
            f"{source} is larger than the limit of {limit:,} bytes (GRADTRAIL_MAX_BODY_BYTES)"
        )
    return content


def read_spec(source: str) -> RunSpec:
    """A run spec from a JSON file, or from standard input when ``source`` is ``-``."""
    text = read_bytes(source)
    try:
        return RunSpec.model_validate(orjson.loads(text))
    except orjson.JSONDecodeError as error:
        raise UsageError(f"{source} is not valid JSON: {error}") from None
    except ValidationError as error:
        raise UsageError(describe_validation(error)) from None


def describe_validation(error: ValidationError) -> str:
    """The first validation problem as ``field: message`` on one line."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "spec"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def lesson_or_spec(args: argparse.Namespace) -> RunSpec:
    """The run spec of ``--preset ID`` or of the spec file (exactly one of them)."""
    if (args.spec is None) == (args.preset is None):
        raise UsageError("give a spec file or --preset ID (one of them)")
    if args.preset is None:
        return read_spec(args.spec)
    if args.preset not in PRESETS:
        raise UsageError(f"unknown preset '{args.preset}' (known: {', '.join(PRESETS)})")
    return PRESETS[args.preset].run_spec(args.lang)


def command_run(args: argparse.Namespace) -> None:
    spec = lesson_or_spec(args)
    try:
        result = gather(Simulation(spec, args.lang))
    except SpecError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    if args.csv:
        sys.stdout.write(result.to_csv())
    else:
        sys.stdout.buffer.write(dumps(result.as_dict()) + b"\n")


def writable(output: str) -> Path:
    """``output`` as a path that can be written, checked before any work starts."""
    path = Path(output)
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"cannot write {output}: it is a directory")
    if not folder.is_dir():
        raise UsageError(f"cannot write {output}: no directory {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {output}: permission denied")
    return path


def command_export(args: argparse.Namespace) -> None:
    """A standalone HTML file, a PNG/SVG still of its last frame, or a video of it playing,
    for a spec or preset."""
    from gradtrail.app.cli import EXPORT_FORMATS
    from gradtrail.app.player import PanelsRefused, player_data, render, shown_panels

    output = writable(args.output)
    export_format = args.format or output.suffix.lstrip(".").lower() or "html"
    if export_format not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise UsageError(f"cannot write .{export_format} files (--format: one of {known})")
    if export_format in VIDEO_FORMATS:
        check_video()
    spec = lesson_or_spec(args)
    try:
        panels = shown_panels(spec, args.preset, args.panels)
    except PanelsRefused as error:
        raise UsageError(f"--panels: {error}") from None
    try:
        html = render(player_data(spec, args.preset, lang=args.lang, panels=panels), inline=True)
    except SpecError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    if export_format in VIDEO_FORMATS:
        write_video(args, html, output, export_format)
        return
    content = html.encode() if export_format == "html" else still(args, html, export_format)
    try:
        output.write_bytes(content)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None


def still(args: argparse.Namespace, html: str, image_format: str) -> bytes:
    from gradtrail.app.cli import IMAGE_HEIGHT, IMAGE_WIDTH
    from gradtrail.app.images import ImageUnavailable, still_image

    try:
        return still_image(
            html, image_format, args.width or IMAGE_WIDTH, args.height or IMAGE_HEIGHT
        )
    except ImageUnavailable as error:
        raise UsageError(str(error)) from None


def check_video() -> None:
    from gradtrail.app.video import VideoUnavailable, check_available

    try:
        check_available()
    except VideoUnavailable as error:
        raise UsageError(str(error)) from None


def write_video(args: argparse.Namespace, html: str, output: Path, video_format: str) -> None:
    """Record the player playing; a progress bar on stderr when it is a terminal."""
    from gradtrail.app.video import VideoDefaults, VideoFailed, record

    defaults = VideoDefaults()
    size = (args.width or defaults.width, args.height or defaults.height)
    show = sys.stderr.isatty() and not args.quiet
    # Written beside the output and renamed when whole: a failed or interrupted recording
    # leaves no half video, and an earlier one in its place stays.
    partial = output.with_name(f".{output.name}.part")
    try:
        record(html, partial, video_format, size, args.fps, args.seconds,
               progress=progress_bar if show else lambda done, total: None)  # fmt: skip
        partial.replace(output)
    except VideoFailed as error:
        raise UsageError(str(error)) from None
    finally:
        partial.unlink(missing_ok=True)
        if show:
            print(file=sys.stderr)


def progress_bar(done: int, total: int) -> None:
    """``[#####-----]  50.0%`` on stderr, redrawn in place."""
    filled = int(30 * done / total)
    bar = "#" * filled + "-" * (30 - filled)
    print(f"\r[{bar}] {100 * done / total:5.1f}%", end="", file=sys.stderr, flush=True)


PROGRESS_AFTER = 2_000_000  # optimizer steps: smaller sweeps finish before a bar is useful


def command_sweep(args: argparse.Namespace) -> None:
    """Run a sweep and print its result; a progress bar on stderr while a long one runs."""
    from gradtrail.presets import SWEEP_PRESETS
    from gradtrail.sweep import Sweep, SweepSpec

    if (args.spec is None) == (args.preset is None):
        raise UsageError("give a sweep spec file or --preset ID (one of them)")
    try:
        if args.preset is not None:
            if args.preset not in SWEEP_PRESETS:
                known = ", ".join(SWEEP_PRESETS)
                raise UsageError(f"unknown sweep preset '{args.preset}' (known: {known})")
            spec = SWEEP_PRESETS[args.preset].sweep_spec()
        else:
            spec = SweepSpec.model_validate(orjson.loads(read_bytes(args.spec)))
        sweep = Sweep(spec)
    except orjson.JSONDecodeError as error:
        raise UsageError(f"{args.spec} is not valid JSON: {error}") from None
    except ValidationError as error:
        raise UsageError(describe_validation(error)) from None
    except SpecError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    show = sweep.total >= PROGRESS_AFTER and not args.quiet
    for done in sweep.progress():
        if show:
            progress_bar(done, sweep.total)
    if show:
        print(file=sys.stderr)
    sys.stdout.buffer.write(dumps(sweep.result().as_dict()) + b"\n")


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Rows as left-aligned columns, the first row a header."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def print_listing(
    args: argparse.Namespace, items: list[dict], header: tuple[str, ...], row: Callable
) -> None:
    """A catalogue as a table for people, or as the API's JSON with ``--json``."""
    if args.json:
        sys.stdout.buffer.write(dumps(items) + b"\n")
    else:
        print_table([header, *(row(item) for item in items)])


def defaults_of(item: dict, form: str = "{}") -> str:
    return ", ".join(f"{p['name']}={form.format(p['default'])}" for p in item["params"])


def command_surfaces(args: argparse.Namespace) -> None:
    print_listing(
        args, list_surfaces(), ("id", "name", "parameters", "f(x, y)"),
        lambda s: (s["id"], s["name"], defaults_of(s, "{:g}"), plain_formula(s["formula"])),
    )  # fmt: skip


def command_optimizers(args: argparse.Namespace) -> None:
    print_listing(
        args, list_optimizers(), ("id", "name", "torch.optim", "hyperparameters (defaults)"),
        lambda o: (o["id"], o["name"], o["torch"], defaults_of(o)),
    )  # fmt: skip
