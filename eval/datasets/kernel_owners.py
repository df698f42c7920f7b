"""kernel-owners: "who should I contact about X" over the Linux kernel's documentation.

Read from Debian's pinned `linux-source-6.1` package (`eval.datasets.debian`); only MAINTAINERS
and the top-level Documentation/ tree are extracted from its source tarball. Construction:

- Owners file: MAINTAINERS' entries whose `F:` patterns lie under Documentation/, as a
  CODEOWNERS-style file ordered broad → specific (`eval.datasets.maintainers`); the people
  directory is every maintainer of those entries (name and email).
- Documents: the English .rst files (not translations/) that some rule other than the
  catch-all `Documentation/` covers (that one is the documentation maintainer's: he would be
  the answer for every page no subsystem claims), minus index.rst pages, files under
  MIN_CHARS characters, and pages whose title is generic ("Introduction", "Overview",
  "Index", "Contents", under 3 characters) or shared with another page (the question could
  not tell them apart). DOCS of them are kept: the first by sha256("kernel-owners:<path>").
  They are ingested with the real pipeline (RST) as one `doc` source with the owners file
  and the directory (`eval.owners_suite`).
- Questions: one per document, from TEMPLATES by sha256("template:<path>") % 4, about its
  topic: the first heading without inline markup or a leading "The", lower-cased unless a
  word has a capital after its first letter (NVMe, PCIe). Expected people: the document's
  owners; the document itself is the relevant one. Halves: `eval.datasets.splits.half(path,
  "kernel-owners")`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import DatasetError
from eval.datasets.debian import DEFAULT_CACHE, is_unpacked, unpacked
from eval.datasets.maintainers import (
    directory as maintainers_directory,
    owners_rules,
    parse_maintainers,
    render_owners,
)
from eval.datasets.splits import Half, half, parse_half, with_halves
from ingest.owners import OwnersFile

log = logging.getLogger(__name__)

NAME = "kernel-owners"
PACKAGE = ("linux-source-6.1", "6.1.192-3")
TARBALL = "usr/src/linux-source-6.1.tar.xz"
PREFIX = "Documentation/"
DOCS = 400
MIN_CHARS = 300
TEMPLATES = (
    "Who should I contact about {topic}?",
    "Who maintains {topic}?",
    "Who owns the {topic} documentation?",
    "Who can I ask about {topic}?",
)
GENERIC_TITLES = {"introduction", "overview", "index", "contents"}
SOURCE = "kernel-docs"
OWNERS_DATASETS = with_halves(NAME)
SKIPPED = ("Documentation/translations/",)  # pages in other languages than the questions
_EXTRACTED = "extracted.ok"
_TIMEOUT_S = 600  # decompressing the whole tarball takes ~10 s on a quiet machine
_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_ROLE = re.compile(r":[a-z:]+:`([^`]*)`")
_INNER_CAPITAL = re.compile(r"\w[A-Z]")


@dataclass(frozen=True)
class OwnersItem:
    """A question about one document: who to contact (its owners' emails)."""

    id: str  # the document's path under the tree, e.g. Documentation/hwmon/tmp401.rst
    question: str
    topic: str
    owners: tuple[str, ...]
    half: Half
    tags: tuple[str, ...]


@dataclass
class OwnersSet:
    """The content folder (sources file, owners file, directory, documents) and the questions."""

    name: str
    sources_file: Path
    items: list[OwnersItem]
    metadata: dict[str, Any] = field(default_factory=dict)

    def in_half(self, which: Half | None) -> list[OwnersItem]:
        """The items of one half (all of them for None), in path order."""
        return [i for i in self.items if which is None or i.half == which]


def parse_owners_dataset(dataset: str) -> tuple[str, Half | None] | None:
    """(set, half or None for all items) of a who-to-ask dataset name; None for other names."""
    return parse_half(dataset, (NAME,))


def corpus_name(doc_id: str) -> str:
    """The name the ingested corpus knows a document by: "<source>:<path under the source>"."""
    return f"{SOURCE}:{doc_id.removeprefix(PREFIX)}"


def kernel_tree(cache: Path | None = None) -> Path:
    """The folder holding MAINTAINERS and Documentation/ (extracted once into the cache)."""
    root = unpacked(*PACKAGE, cache=cache)
    folder = root.parent / "tree"
    if not (folder / _EXTRACTED).is_file():
        folder.mkdir(parents=True, exist_ok=True)
        command = ["tar", "-xJf", str(root / TARBALL), "-C", str(folder), "--wildcards",
                   "*/MAINTAINERS", "*/Documentation/*"]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DatasetError(NAME, f"tar failed: {exc}") from exc
        if done.returncode:
            raise DatasetError(NAME, f"tar failed: {done.stderr.strip()[-300:]}")
        (folder / _EXTRACTED).write_text("ok", encoding="utf-8")
    found = sorted(folder.glob("*/MAINTAINERS"), key=lambda p: len(p.parts))
    if not found:
        raise DatasetError(NAME, f"no MAINTAINERS in {folder}")
    return found[0].parent


def is_cached(cache: Path | None = None) -> bool:
    """Whether the package is already downloaded (listing the set then costs no download)."""
    return is_unpacked(*PACKAGE, cache=cache)


def rst_title(text: str) -> str | None:
    """The first section title of an RST text (over- and underlined, or underlined)."""
    lines = text.splitlines()
    for i, line in enumerate(lines[:-1]):
        below = lines[i + 1]
        if _ADORNMENT.match(line) and i + 2 < len(lines) and _ADORNMENT.match(lines[i + 2]):
            if below.strip() and not _ADORNMENT.match(below):
                return below.strip()
        elif _is_text(line) and _ADORNMENT.match(below):
            return line.strip()
    return None


def _is_text(line: str) -> bool:
    """A line that may be a title: not indented, not a directive or comment, no adornment."""
    return (
        bool(line.strip()) and not line.startswith((" ", "\t", "..")) and not _ADORNMENT.match(line)
    )


def topic(title: str) -> str:
    """The title as a question's topic (module docstring)."""
    plain = " ".join(_ROLE.sub(r"\1", title).replace("``", "").replace("`", "").split())
    plain = re.sub(r"^the\s+", "", plain.rstrip(":").strip(), flags=re.IGNORECASE)
    if any(_INNER_CAPITAL.search(word) for word in plain.split()):
        return plain
    return plain.lower()


def is_generic(topic_text: str) -> bool:
    """Whether a topic says nothing about the page ("overview", "a")."""
    return len(topic_text) < 3 or topic_text.casefold() in GENERIC_TITLES


def question(doc_id: str, topic_text: str) -> str:
    """The document's question: a template chosen by a hash of its id."""
    digest = int(hashlib.sha256(f"template:{doc_id}".encode()).hexdigest(), 16)
    return TEMPLATES[digest % len(TEMPLATES)].format(topic=topic_text)


def _rank(doc_id: str) -> str:
    return hashlib.sha256(f"{NAME}:{doc_id}".encode()).hexdigest()


def _write(path: Path, text: str) -> None:
    """Write a file unless it already holds this text (so a re-run ingests nothing new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def build_owners_set(tree: Path, content: Path, docs: int = DOCS) -> OwnersSet:
    """Write the content folder from an extracted kernel tree and build the questions."""
    entries = parse_maintainers((tree / "MAINTAINERS").read_text(encoding="utf-8"))
    rules = owners_rules(entries, PREFIX, lambda p: (tree / p).is_dir())
    header = f"Made from MAINTAINERS of {PACKAGE[0]} {PACKAGE[1]} (eval/datasets/kernel_owners.py)"
    _write(content / "OWNERS", render_owners(rules, header))
    owners = OwnersFile.load(content / "OWNERS")
    # Every rule is anchored: the text before its first wildcard must begin the path.
    prefixes = [re.split(r"[*?\[]", r.pattern.pattern.lstrip("/"))[0] for r in owners.rules]
    candidates: list[tuple[str, str, tuple[str, ...]]] = []
    for path in sorted((tree / PREFIX).rglob("*.rst")):
        rel = path.relative_to(tree).as_posix()
        if path.name == "index.rst" or rel.startswith(SKIPPED):
            continue
        rule = next(
            (
                r
                for r, prefix in zip(reversed(owners.rules), reversed(prefixes), strict=True)
                if rel.startswith(prefix) and r.pattern.matches(rel)
            ),
            None,
        )
        if rule is None or rule.pattern.pattern == f"/{PREFIX}":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        title = rst_title(text)
        if len(text) < MIN_CHARS or title is None or is_generic(topic(title)):
            continue
        emails = tuple(o.email for o in rule.owners if o.email)
        candidates.append((rel, topic(title), emails))
    seen: dict[str, int] = {}
    for _, name, _ in candidates:
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    unique = [c for c in candidates if seen[c[1].casefold()] == 1]
    chosen = sorted(sorted(unique, key=lambda c: _rank(c[0]))[:docs])
    if not chosen:
        raise DatasetError(NAME, "no document is owned by a specific MAINTAINERS entry")
    people = maintainers_directory(entries)
    owning = sorted({email for _, _, emails in chosen for email in emails})
    everyone = sorted({email for rule in rules for email in rule.emails})
    listing = [{"name": people.get(e, e), "email": e} for e in everyone]
    _write(content / "people.yaml", yaml.safe_dump(listing, allow_unicode=True, sort_keys=False))
    for rel, _, _ in chosen:
        _write(content / rel, (tree / rel).read_text(encoding="utf-8", errors="replace"))
    # The cache is under the home folder, which for root is a system folder.
    source = {"name": SOURCE, "kind": "doc", "path": PREFIX.rstrip("/"), "allow_outside": True}
    sources = {"people": "people.yaml", "owners": "OWNERS", "sources": [source]}
    _write(content / "sources.yaml", yaml.safe_dump(sources, sort_keys=False))
    items = [
        OwnersItem(
            id=rel,
            question=question(rel, name),
            topic=name,
            owners=emails,
            half=half(rel, NAME),
            tags=("who", half(rel, NAME), rel.split("/")[1]),
        )
        for rel, name, emails in chosen
    ]
    metadata = {
        "source": f"debian:{PACKAGE[0]}",
        "package_version": PACKAGE[1],
        "maintainers_entries": len(entries),
        "owners_rules": len(rules),
        "eligible_documents": len(unique),
        "documents": len(chosen),
        "owners_in_set": len(owning),
        "directory_people": len(listing),
    }
    return OwnersSet(NAME, content / "sources.yaml", items, metadata)


@functools.lru_cache(maxsize=2)
def load_kernel_owners(cache: Path | None = None, docs: int = DOCS) -> OwnersSet:
    """The kernel-owners set (the package downloaded and extracted once into the cache)."""
    tree = kernel_tree(cache)
    content = (cache or DEFAULT_CACHE) / f"{NAME}_{PACKAGE[1]}_{docs}"
    owners_set = build_owners_set(tree, content, docs)
    log.info("kernel-owners built", extra=owners_set.metadata)
    return owners_set
