"""The ``gradtrail`` command line: its grammar, and ``serve``.

The other commands' work is in :mod:`gradtrail.app.commands`, imported only when one
of them runs: ``gradtrail serve --workers N`` keeps a supervisor process that imports
uvicorn alone (the workers it starts import the app).
"""

from __future__ import annotations

import argparse
import sys

from gradtrail import __version__
from gradtrail.texts import DEFAULT_LANGUAGE, LANGUAGES


def add_language(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of labels, titles and the player's controls."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
        help="language of labels, titles and captions (default: %(default)s)",
    )  # fmt: skip


def command_serve(args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "gradtrail.app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        # httptools (uvicorn's own choice) with read timeouts, a cap on open connections
        # and a lingering close; named, so only the workers import it and the settings.
        http="gradtrail.app.connections:GuardedProtocol",
        timeout_graceful_shutdown=5,  # then SIGTERM closes open streams too
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    root = argparse.ArgumentParser(prog="gradtrail", description="Optimizers on 2-D loss surfaces.")
    root.add_argument("--version", action="version", version=f"gradtrail {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="run a spec (JSON file, or - for stdin); print the result"
    )
    run.add_argument("spec")
    run.add_argument("--csv", action="store_true", help="print CSV: one row per run and step")
    add_language(run)
    export = commands.add_parser(
        "export", help="write a standalone HTML player that works offline (or a PNG/SVG still)"
    )
    export.add_argument("spec", nargs="?", help="a spec JSON file, or - for stdin")
    export.add_argument("--preset", help="a lesson id instead of a spec file")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.add_argument(
        "--format", choices=["html", "png", "svg"], help="default: from -o's suffix"
    )
    export.add_argument("--width", type=int, default=1600, help="image width in pixels")
    export.add_argument("--height", type=int, default=1000, help="image height in pixels")
    add_language(export)
    sweep = commands.add_parser("sweep", help="run a sweep spec (or --preset); print the result")
    sweep.add_argument("spec", nargs="?", help="a sweep spec JSON file, or - for stdin")
    sweep.add_argument("--preset", help="a sweep lesson id instead of a file")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    for name in ("surfaces", "optimizers"):
        listing = commands.add_parser(name, help=f"list the {name} (a table; --json for programs)")
        listing.add_argument("--json", action="store_true", help="the API's JSON instead")
    serve = commands.add_parser("serve", help="start the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command == "serve":
        command_serve(args)
        return 0
    from gradtrail.app import commands

    try:
        getattr(commands, f"command_{args.command}")(args)
    except commands.UsageError as error:
        print(f"gradtrail: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
