"""The ``gradtrail`` command line: its grammar, and ``serve``.

The other commands' work is in :mod:`gradtrail.app.commands`, imported only when one
of them runs: ``gradtrail serve --workers N`` keeps a supervisor process that imports
uvicorn alone (the workers it starts import the app).
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from typing import NoReturn

from gradtrail import __version__
from gradtrail.app.video import VIDEO_FORMATS, VideoDefaults
from gradtrail.panels import PANELS
from gradtrail.texts import DEFAULT_LANGUAGE, LANGUAGES

HOST, PORT, WORKERS = "127.0.0.1", 8000, 1  # where `gradtrail serve` listens by default
IMAGE_WIDTH, IMAGE_HEIGHT = 1600, 1000  # a PNG/SVG still: a projector's 16:10
EXPORT_FORMATS = ("html", "png", "svg", *VIDEO_FORMATS)
LARGEST_SIDE = 8192  # pixels: Chromium's largest screenshot is about this


class Parser(argparse.ArgumentParser):
    """argparse whose errors are the CLI's: one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


class Help(argparse.HelpFormatter):
    """Each option's help ends with its default, where it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        if not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


def whole_number(low: int, high: int | None = None) -> object:
    """An argparse ``type``: an integer from ``low`` to ``high``, said so when it is not."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            bound = f"from {low:,} to {high:,}" if high is not None else f"of at least {low:,}"
            raise argparse.ArgumentTypeError(f"expected a whole number {bound}, not {value!r}")
        return number

    parse.__name__ = "number"
    return parse


def positive_number(high: float) -> object:
    """An argparse ``type``: a number above 0 and at most ``high``."""

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 < number <= high:
            raise argparse.ArgumentTypeError(
                f"expected a number above 0 up to {high:g}, not {value!r}"
            )
        return number

    parse.__name__ = "number"
    return parse


def add_language(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of labels, titles and the player's controls."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE,
        help="language of labels, titles and captions",
    )  # fmt: skip


def check_port_free(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None. Bound as uvicorn binds (with
    SO_REUSEADDR, so a port in TIME_WAIT counts as free) and released at once."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"cannot listen on {host}: {error.strerror}"
    family, kind, protocol, _, address = addresses[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (try --port {port + 1})"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def command_serve(args: argparse.Namespace) -> int:
    problem = check_port_free(args.host, args.port)
    if problem:
        print(f"gradtrail: {problem}", file=sys.stderr)
        return 2
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
    return 0


def add_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run", help="run a spec (JSON file, or - for stdin) or a lesson; print the result",
        formatter_class=Help,
    )  # fmt: skip
    run.add_argument("spec", nargs="?", help="a spec JSON file, or - for stdin")
    run.add_argument("--preset", metavar="ID", help="a lesson id instead of a spec file")
    run.add_argument("--csv", action="store_true", help="print CSV: one row per run and step")
    add_language(run)


def add_export(commands: argparse._SubParsersAction) -> None:
    video = VideoDefaults()
    export = commands.add_parser(
        "export", formatter_class=Help,
        help="write a standalone HTML player that works offline, a PNG/SVG still, or a video",
    )  # fmt: skip
    export.add_argument("spec", nargs="?", help="a spec JSON file, or - for stdin")
    export.add_argument("--preset", metavar="ID", help="a lesson id instead of a spec file")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, help="what to write (default: from -o's suffix)"
    )
    export.add_argument(
        "--panels", metavar="IDS", help=f"the panels beside the contour, ids split by commas "
        f"({', '.join(PANELS)}; '' for none) (default: the ones the lesson opens, else none)",
    )  # fmt: skip
    side = whole_number(16, LARGEST_SIDE)
    export.add_argument(
        "--width", type=side, help=f"image width in pixels (default: {IMAGE_WIDTH} for a "
        f"still, {video.width} for a video)",
    )  # fmt: skip
    export.add_argument(
        "--height", type=side, help=f"image height in pixels (default: {IMAGE_HEIGHT} for a "
        f"still, {video.height} for a video)",
    )  # fmt: skip
    export.add_argument(
        "--fps", type=whole_number(1, video.max_fps), default=video.fps,
        help="video: frames per second",
    )  # fmt: skip
    export.add_argument(
        "--seconds", type=positive_number(video.max_seconds), default=video.seconds,
        help="video: how long the lesson plays, from the first step to the last",
    )  # fmt: skip
    export.add_argument(
        "--quiet", action="store_true", help="video: no progress bar (there is none off a terminal)"
    )
    add_language(export)


def parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    root = Parser(prog="gradtrail", description="Optimizers on 2-D loss surfaces.")
    root.add_argument("--version", action="version", version=f"gradtrail {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    add_run(commands)
    add_export(commands)
    sweep = commands.add_parser(
        "sweep", help="run a sweep spec (or --preset); print the result", formatter_class=Help
    )
    sweep.add_argument("spec", nargs="?", help="a sweep spec JSON file, or - for stdin")
    sweep.add_argument("--preset", metavar="ID", help="a sweep lesson id instead of a file")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    for name in ("surfaces", "optimizers"):
        listing = commands.add_parser(
            name, help=f"list the {name} (a table; --json for programs)", formatter_class=Help
        )
        listing.add_argument("--json", action="store_true", help="the API's JSON instead")
    serve = commands.add_parser("serve", help="start the web app", formatter_class=Help)
    serve.add_argument(
        "--host", default=HOST, help="address to listen on (0.0.0.0: every interface)"
    )
    serve.add_argument(
        "--port", type=whole_number(1, 65535), default=PORT, help="TCP port to listen on"
    )
    serve.add_argument(
        "--workers", type=whole_number(1, 256), default=WORKERS,
        help="worker processes (each a copy of the app; about one per core)",
    )  # fmt: skip
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command == "serve":
        return command_serve(args)
    from gradtrail.app import commands

    try:
        getattr(commands, f"command_{args.command}")(args)
    except commands.UsageError as error:
        print(f"gradtrail: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
