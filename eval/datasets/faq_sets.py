"""The FAQ sets a run can name, and their halves: python-faq, debian-faq (+ "-tune", "-test").

Each set is built once per process from its pinned Debian package (`eval.datasets.faq` has
the construction); "<set>-tune" and "<set>-test" hold the items of one half, over the same
corpus, so a threshold chosen on "-tune" is reported on "-test".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from eval.datasets import debian_faq, python_faq
from eval.datasets.debian import is_unpacked
from eval.datasets.faq import FaqSet
from eval.datasets.splits import Half, parse_half, with_halves

FAQ_SETS: dict[str, Callable[[Path | None], FaqSet]] = {
    python_faq.NAME: python_faq.load_python_faq,
    debian_faq.NAME: debian_faq.load_debian_faq,
}
PACKAGES = {python_faq.NAME: python_faq.PACKAGE, debian_faq.NAME: debian_faq.PACKAGE}
FAQ_DATASETS = tuple(name for base in FAQ_SETS for name in with_halves(base))


def parse_faq_dataset(dataset: str) -> tuple[str, Half | None] | None:
    """(set, half or None for all items) of an FAQ dataset name; None for other names."""
    return parse_half(dataset, FAQ_SETS)


@functools.lru_cache(maxsize=len(FAQ_SETS))
def load_faq_set(name: str, cache: Path | None = None) -> FaqSet:
    """A named FAQ set (built once per process and cache folder)."""
    if name not in FAQ_SETS:
        raise ValueError(f"unknown FAQ set {name!r}: use {', '.join(FAQ_SETS)}")
    return FAQ_SETS[name](cache)


def is_cached(name: str, cache: Path | None = None) -> bool:
    """Whether the set's package is already downloaded (listing it then costs no download)."""
    return is_unpacked(*PACKAGES[name], cache=cache)
