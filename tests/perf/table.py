"""The benchmarks' one way to print their table."""

from __future__ import annotations


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Rows of (benchmark, measured, target), aligned in columns."""
    width = max(len(row[0]) for row in rows)
    measured = max(len(row[1]) for row in rows)
    print(f"{'benchmark':<{width}}  {'measured':<{measured}}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{measured}}  {target}")
