"""Small-group suppression shared by survey results and idea rankings."""

from __future__ import annotations


def too_few(n: int, threshold: int) -> bool:
    """Whether `n` answers are too few for any figure of them to be shown: under the threshold
    everyone who answered is itself a small group (a school's three answers are three people's,
    whoever reads them), so no count or share of them is shown, only how many answered."""
    return n < threshold


def suppressed_groups(sizes: dict[str, int], threshold: int) -> set[str]:
    """The groups not to show: those under the threshold, and then the smallest shown groups
    until the hidden ones cannot be found by subtraction from the overall figure: a single
    hidden group would be the overall minus the shown ones, and so would two or more hidden
    groups whose sum is itself under the threshold. (When everyone together is too few, every
    group is under the threshold, so all are hidden, as the overall is by `too_few`.)"""
    hidden = {key for key, n in sizes.items() if n < threshold}
    shown = sorted((n, key) for key, n in sizes.items() if key not in hidden)
    while hidden and shown and (len(hidden) == 1 or sum(sizes[key] for key in hidden) < threshold):
        hidden.add(shown.pop(0)[1])
    return hidden
