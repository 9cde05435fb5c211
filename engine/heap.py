"""The C heap's policy for batch work and for a server (glibc; elsewhere nothing happens).

numpy's batch steps make dozens of ~100 kB temporaries per step; a server should
shrink back once a load has passed. These settings are process-wide, so each is
applied where a process starts such work, and said so there.
"""

from __future__ import annotations

import contextlib
import ctypes
from functools import cache

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8
MAPPED_ALONE = 2**20  # blocks this large are mapped alone, and unmapped when freed


def libc() -> ctypes.CDLL:
    """glibc (OSError elsewhere)."""
    return ctypes.CDLL("libc.so.6")


@cache
def keep_freed_memory() -> None:
    """Keep freed heap for reuse instead of handing it back after every numpy temporary.

    With glibc's defaults each free at the heap top is trimmed and each allocation
    faults its pages in again, which made a 10,000-run Adam step 5x slower here.
    Blocks of :data:`MAPPED_ALONE` and more (a long run's lists, a 24 MB answer) are
    still mapped on their own, so they go back to the OS as soon as they are freed.
    """
    with contextlib.suppress(OSError, AttributeError):
        c = libc()
        c.mallopt(M_TRIM_THRESHOLD, 512 * 2**20)
        c.mallopt(M_TOP_PAD, 64 * 2**20)
        c.mallopt(M_MMAP_THRESHOLD, MAPPED_ALONE)


def share_heap_arenas(arenas: int = 2) -> None:
    """At most ``arenas`` glibc heaps for all threads (glibc makes up to 8 per core).

    A server's compute threads each fill and free their own heap otherwise, and
    what is left scattered over many heaps cannot go back to the OS.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc().mallopt(M_ARENA_MAX, arenas)


def release_freed_memory() -> None:
    """Hand the heap kept by :func:`keep_freed_memory` back to the OS (``malloc_trim``):
    for a server once its work is done, so memory falls back after a load."""
    with contextlib.suppress(OSError, AttributeError):
        libc().malloc_trim(0)
