"""Length bucketing for the encoder: sort by token length, batch, and put results back in order.

Padding is paid per batch up to its longest text, so texts of similar length batched together
waste little compute (on a GPU the padded positions cost as much as real ones). These functions
are pure and device-independent: the CPU tests prove the order the GPU path relies on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of at most `batch_size`, longest first (ties keep order)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad_rows(
    encoded: Mapping[str, Sequence[Sequence[int]]], rows: Sequence[int], pad_id: int
) -> dict[str, np.ndarray]:
    """The tokenizer's unpadded lists for `rows`, right-padded to the batch's longest as int64
    arrays (`input_ids` with `pad_id`, every other key, the attention mask included, with 0)."""
    width = max((len(encoded["input_ids"][r]) for r in rows), default=0)
    out = {}
    for key, sequences in encoded.items():
        fill = pad_id if key == "input_ids" else 0
        batch = np.full((len(rows), width), fill, dtype=np.int64)
        for i, r in enumerate(rows):
            values = sequences[r]
            batch[i, : len(values)] = values
        out[key] = batch
    return out


def padded_share(lengths: Sequence[int], batches: Iterable[Sequence[int]]) -> float:
    """Share of the computed positions that are padding (0: none) for these batches."""
    computed = real = 0
    for rows in batches:
        if rows:
            computed += len(rows) * max(lengths[r] for r in rows)
            real += sum(lengths[r] for r in rows)
    return 1 - real / computed if computed else 0.0


def restore_order(parts: Iterable[tuple[Sequence[int], np.ndarray]], count: int) -> np.ndarray:
    """Rows of each (indices, results) part written back to their input positions."""
    out: np.ndarray | None = None
    filled = 0
    for rows, values in parts:
        if out is None:
            out = np.empty((count, *values.shape[1:]), dtype=values.dtype)
        out[list(rows)] = values
        filled += len(rows)
    if out is None or filled != count:
        raise ValueError(f"parts cover {filled} of {count} rows")
    return out
