"""gitignore-style path patterns, matched without backtracking.

A pattern is split into '/'-separated segments: '**' stands for any number of folders, '*'
for any characters within one segment, '?' for one character; everything else is literal.
Matching is a table over (pattern segment, path segment) pairs, and a segment is matched
against a name by the two-pointer wildcard algorithm, so time grows with the product of the
sizes, never exponentially (a regex of thirty '**/' took seconds per path).

Shape of a pattern (as in .gitignore and CODEOWNERS): a leading '/' or a '/' inside anchors it
to the base folder, otherwise it matches at any depth; a trailing '/' matches only inside a
folder; 'dir/*' owns the folder's own files only; any other pattern also owns everything under
a folder it names.
"""

from __future__ import annotations

from dataclasses import dataclass

_ANY_DEPTH = "**"


@dataclass(frozen=True)
class PathGlob:
    """A compiled pattern: its segments ('**' = any number of folders)."""

    pattern: str
    segments: tuple[str, ...]

    @classmethod
    def compile(cls, pattern: str) -> PathGlob:
        """Segments of a gitignore-style pattern, with its anchoring and folder rules applied."""
        body = pattern.strip("/")
        anchored = pattern.startswith("/") or "/" in body
        parts = [_ANY_DEPTH if "**" in s and s.strip("*") == "" else s for s in body.split("/")]
        parts = [s.replace("**", "*") if s != _ANY_DEPTH else s for s in parts]
        if parts and parts[-1] == _ANY_DEPTH:  # 'docs/**': something inside docs/
            parts[-1:] = ["*", _ANY_DEPTH]
        if not anchored:
            parts.insert(0, _ANY_DEPTH)
        if pattern.endswith("/"):
            parts += ["*", _ANY_DEPTH]  # only what lies inside the folder
        elif not (body.endswith("/*") or body == "*"):
            parts.append(_ANY_DEPTH)  # a name also owns everything under a folder of that name
        collapsed: list[str] = []
        for part in parts:
            if not (part == _ANY_DEPTH and collapsed and collapsed[-1] == _ANY_DEPTH):
                collapsed.append(part)
        return cls(pattern, tuple(collapsed))

    def matches(self, relative: str) -> bool:
        """Whether a posix path relative to the base folder matches."""
        names = relative.split("/")
        n = len(names)
        # rest[j]: the segments after the current one match names[j:]
        rest = [False] * n + [True]
        for segment in reversed(self.segments):
            here = [False] * (n + 1)
            if segment == _ANY_DEPTH:
                for j in range(n, -1, -1):
                    here[j] = rest[j] or (j < n and here[j + 1])
            else:
                for j in range(n):
                    here[j] = rest[j + 1] and wildcard(segment, names[j])
            rest = here
        return rest[0]


def wildcard(pattern: str, name: str) -> bool:
    """Whether `name` matches a one-segment pattern of '*', '?' and literal characters."""
    p = t = 0
    star, mark = -1, 0
    while t < len(name):
        if p < len(pattern) and pattern[p] in ("?", name[t]) and pattern[p] != "*":
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif star >= 0:  # let the last '*' take one more character; earlier ones stay put
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)
