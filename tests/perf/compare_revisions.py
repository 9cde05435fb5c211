"""bench_engine's (a) and (b) on two revisions, in instructions, not seconds; prints a table.

Run: python tests/perf/compare_revisions.py BEFORE [AFTER]   (AFTER: HEAD)
     e.g. python tests/perf/compare_revisions.py 1896d25^      (about fifteen minutes)

On a shared machine wall-clock ratios between two revisions drift by tens of percent from
one minute to the next; valgrind's callgrind counts the instructions a process executes,
which do not depend on what else runs (with one thread and one hash seed, see
DETERMINISTIC). Each revision is imported from its own checkout
(a detached ``git worktree`` under a temporary folder), and each workload is counted as
the difference between a process that runs it once and one that only imports and warms
up, so imports and start-up cancel out. (b) is the batch at 200 steps instead of 1,000
(the per-step work is the same; callgrind runs some fifty times slower than the CPU).
Needs Debian's valgrind.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from table import print_table  # run as a script, tests/perf/ is on the path

ROOT = Path(__file__).resolve().parents[2]
WORKLOAD = """
import sys
import numpy as np
from gradtrail import OPTIMIZERS, RunSpec, build_surface, run, run_batch
from gradtrail.spec import StopSpec, SurfaceSpec

which, reps = sys.argv[1], int(sys.argv[2])
spec = RunSpec.model_validate({
    "surface": {"id": "rosenbrock"}, "steps": 1000, "stop": {"grad_tol": 0.0},
    "optimizers": [{"id": "adam"}, {"id": "momentum"}, {"id": "rmsprop"}, {"id": "gd"}],
})
surface = build_surface(SurfaceSpec(id="rosenbrock"))
n = 10_000
hp = {**OPTIMIZERS["adam"].defaults(), "lr": np.geomspace(1e-4, 0.1, n)}
starts = np.tile([-1.5, 2.0], (n, 1))
run(spec)
run_batch(surface, "adam", hp, starts, 10, StopSpec())  # both paths warm
for _ in range(reps):
    if which == "a":
        run(spec)
    else:
        run_batch(surface, "adam", hp, starts, 200, StopSpec())
"""
# One thread for the numerical libraries (an idle BLAS thread spins, and callgrind counts
# its spinning, which depends on the scheduler) and one hash seed: the counts repeat.
# No bytecode written either: a process that compiled the modules and one that read what
# the last one wrote would differ by the compiling.
DETERMINISTIC = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}  # fmt: skip
WORKLOADS = {
    "a": "(a) 4 optimizers x 1,000 steps",
    "b": "(b) 10,000 runs x 200 Adam steps",
}


def instructions(package: Path, script: Path, which: str, reps: int) -> int:
    """Instructions callgrind counts for the workload script importing ``package``'s
    gradtrail (a folder holding a ``gradtrail`` link to an ``engine`` folder)."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, str(script), which, str(reps)],
        capture_output=True, text=True, check=True, cwd=package,
        env={"PYTHONPATH": str(package), "PATH": "/usr/bin:/bin", **DETERMINISTIC},
    )  # fmt: skip
    match = re.search(r"Collected : (\d+)", done.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def checkout(revision: str, folder: Path) -> Path:
    """A folder whose ``gradtrail`` is ``revision``'s engine, from a detached worktree."""
    name = revision.replace("/", "_").replace("^", "_parent").replace("~", "_back")
    tree, package = folder / f"tree-{name}", folder / name
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), revision],
        check=True,
    )
    package.mkdir()
    (package / "gradtrail").symlink_to(tree / "engine")
    return package


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    if shutil.which("valgrind") is None:
        sys.exit("needs valgrind: sudo apt-get install -y valgrind")
    before, after = sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "HEAD"
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        script = folder / "workload.py"
        script.write_text(WORKLOAD)
        try:
            packages = {"before": checkout(before, folder), "after": checkout(after, folder)}
            rows = []
            for which, title in WORKLOADS.items():
                counts = {
                    name: instructions(package, script, which, 1)
                    - instructions(package, script, which, 0)
                    for name, package in packages.items()
                }
                ratio = counts["after"] / counts["before"]
                for name, revision in (("before", before), ("after", after)):
                    millions = f"{counts[name] / 1e6:,.1f} M instructions"
                    rows.append((f"{title}, {revision}", millions, "-"))
                rows.append((f"{title}, after / before", f"{ratio:.3f}", "0.95 - 1.05"))
            print_table(rows)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)


if __name__ == "__main__":
    main()
