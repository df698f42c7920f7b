"""Vectors of spans of a text from the forward pass that embeds the whole text ("late chunking").

A span's vector is the mean of the contextual token vectors of the tokens it covers, L2-normalised:
the encoder reads the span once, inside its passage, instead of once more on its own. A span is
given in characters of the text; `token_ranges` maps it to tokens through the tokenizer's offset
mapping, and gives None for a span with no token or one that reaches past the truncation (the
caller embeds those on their own). `pool_ranges` averages through a running sum over the
sequence, in float64 so that the difference of two long sums keeps float32 precision.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

Span = tuple[int, int]  # character start, end (exclusive)
TokenRange = tuple[int, int, int]  # batch row, first token, end token (exclusive)


def token_ranges(offsets: Sequence[Sequence[int]], spans: Sequence[Span]) -> list[Span | None]:
    """Token range of each character span, given a text's token offsets (special tokens (0, 0))."""
    content = [j for j, (start, end) in enumerate(offsets) if end > start]
    starts = [offsets[j][0] for j in content]
    ends = [offsets[j][1] for j in content]
    out: list[Span | None] = []
    for start, end in spans:
        if not content or end <= start or end > ends[-1]:  # empty, or cut off by truncation
            out.append(None)
            continue
        first = bisect_right(ends, start)  # the first token that ends inside the span
        stop = bisect_left(starts, end)  # tokens before this one start before the span ends
        out.append((content[first], content[stop - 1] + 1) if first < stop else None)
    return out


def pool_ranges(tokens: Any, ranges: Sequence[TokenRange]) -> Any:
    """Unit-length mean of the token vectors in each range; `tokens` is (batch, seq, dim)."""
    import torch

    if not ranges:
        return tokens.new_zeros((0, tokens.shape[-1]), dtype=torch.float32)
    sums = torch.nn.functional.pad(tokens.double().cumsum(dim=1), (0, 0, 1, 0))
    at = torch.tensor(ranges, dtype=torch.long, device=tokens.device)
    pooled = sums[at[:, 0], at[:, 2]] - sums[at[:, 0], at[:, 1]]
    # The mean's division by the token count is left out: normalising removes it anyway.
    return torch.nn.functional.normalize(pooled.float(), p=2, dim=1)
