"""What the ``gradtrail`` commands other than ``serve`` do (they need the engine)."""

from __future__ import annotations

import argparse
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
from gradtrail.app.jsonio import dumps
from gradtrail.app.settings import get_settings
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


def command_run(args: argparse.Namespace) -> None:
    spec = read_spec(args.spec)
    try:
        result = gather(Simulation(spec, args.lang))
    except SpecError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    if args.csv:
        sys.stdout.write(result.to_csv())
    else:
        sys.stdout.buffer.write(dumps(result.as_dict()) + b"\n")


def command_export(args: argparse.Namespace) -> None:
    """A standalone HTML file (or a PNG/SVG still of its last frame) for a spec or preset."""
    from gradtrail.app.images import ImageUnavailable, still_image
    from gradtrail.app.player import player_data, render

    if (args.spec is None) == (args.preset is None):
        raise UsageError("give a spec file or --preset ID (one of them)")
    if args.preset is not None:
        if args.preset not in PRESETS:
            raise UsageError(f"unknown preset '{args.preset}' (known: {', '.join(PRESETS)})")
        spec = PRESETS[args.preset].run_spec(args.lang)
    else:
        spec = read_spec(args.spec)
    image_format = args.format or Path(args.output).suffix.lstrip(".").lower() or "html"
    if image_format not in ("html", "png", "svg"):
        raise UsageError(f"--format must be html, png or svg, not {image_format}")
    try:
        html = render(player_data(spec, args.preset, lang=args.lang), inline=True)
    except SpecError as error:
        raise UsageError(f"{error.field}: {error.message}") from None
    if image_format == "html":
        content = html.encode()
    else:
        try:
            content = still_image(html, image_format, args.width, args.height)
        except ImageUnavailable as error:
            raise UsageError(str(error)) from None
    try:
        Path(args.output).write_bytes(content)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None


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
            filled = int(30 * done / sweep.total)
            bar = "#" * filled + "-" * (30 - filled)
            print(
                f"\r[{bar}] {100 * done / sweep.total:5.1f}%", end="", file=sys.stderr, flush=True
            )
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
        lambda s: (s["id"], s["name"], defaults_of(s, "{:g}"), s["formula"]),
    )  # fmt: skip


def command_optimizers(args: argparse.Namespace) -> None:
    print_listing(
        args, list_optimizers(), ("id", "name", "torch.optim", "hyperparameters (defaults)"),
        lambda o: (o["id"], o["name"], o["torch"], defaults_of(o)),
    )  # fmt: skip
