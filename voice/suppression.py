"""Small-group suppression shared by survey results and idea rankings."""

from __future__ import annotations


def suppressed_groups(sizes: dict[str, int], threshold: int) -> set[str]:
    """The groups not to show: under the threshold, and the complement that would reveal a
    single hidden group by subtraction from the overall figure."""
    hidden = {key for key, n in sizes.items() if n < threshold}
    if len(hidden) == 1 and len(sizes) > 1:
        shown = sorted((n, key) for key, n in sizes.items() if key not in hidden)
        hidden.add(shown[0][1])
    return hidden
