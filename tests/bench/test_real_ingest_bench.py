"""The real-corpus benchmark: the corpus builder on local archives (no registry), reproducible,
its errors; and the benchmark run on a corpus made of the sample's files."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from bench import corpus as corpus_module
from bench.corpus import CorpusError, Package, build, download
from bench.real_ingest_bench import main as bench_main
from core.sources import bundled_sources_file

SAMPLE = bundled_sources_file().parent
RST = "Title\n=====\n\nThis is a paragraph of prose that is long enough to be kept as a page.\n"


def _sdist(downloads: Path) -> None:
    """A stand-in sdist of 'demo-docs 1.0' with two RST pages, as pip would leave it."""
    downloads.mkdir(parents=True)
    with tarfile.open(downloads / "demo-docs-1.0.tar.gz", "w:gz") as tar:
        for name in ("intro", "guide"):
            data = (RST + f"\nThe {name} page explains one more thing in a sentence.\n").encode()
            info = tarfile.TarInfo(f"demo-docs-1.0/docs/{name}.rst")
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))


def _deb(downloads: Path, tmp: Path) -> None:
    """A stand-in Debian package with an HTML page, built with dpkg-deb."""
    tree = tmp / "debroot"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: demo-doc\nVersion: 2.0\nArchitecture: all\nMaintainer: x <x@example.org>\n"
        "Description: demo\n"
    )
    page = tree / "usr/share/doc/demo/index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><h1>Demo</h1><p>A page of the demo manual.</p></body></html>")
    subprocess.run(
        [
            "dpkg-deb",
            "--root-owner-group",
            "-b",
            str(tree),
            str(downloads / "demo-doc_2.0_all.deb"),
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture()
def local_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "corpus"
    _sdist(dest / "downloads")
    _deb(dest / "downloads", tmp_path)
    monkeypatch.setattr(
        corpus_module,
        "PACKAGES",
        (
            Package("pypi", "demo-docs", "1.0", (("*/docs/**/*.rst", "rst"),)),
            Package("deb", "demo-doc", "2.0", (("usr/share/doc/**/*.html", "html"),)),
        ),
    )
    monkeypatch.setattr(corpus_module, "SMALL_PAGES", 2)
    return dest


def test_build_records_a_reproducible_manifest(local_packages: Path) -> None:
    manifest = build(local_packages)
    first = (local_packages / "manifest.json").read_bytes()
    assert manifest["formats"] == {"rst": 2, "html": 1}
    assert {p["name"]: p["version"] for p in manifest["packages"]} == {
        "demo-docs": "1.0",
        "demo-doc": "2.0",
    }
    paths = {f["path"]: f for f in manifest["files"]}
    assert "html/demo-doc/usr/share/doc/demo/index.html" in paths
    assert paths["rst/demo-docs/demo-docs-1.0/docs/guide.rst"]["from"] == "pypi:demo-docs==1.0"
    assert all(len(f["sha256"]) == 64 for f in paths.values())
    build(local_packages)
    assert (local_packages / "manifest.json").read_bytes() == first


def test_a_pin_the_registry_does_not_have_is_named(tmp_path: Path) -> None:
    missing = Package("deb", "no-such-package-watercooler", "0.0", ())
    with pytest.raises(CorpusError, match=r"no-such-package-watercooler==0\.0"):
        download(missing, tmp_path)


def test_corpus_command_fails_cleanly_on_a_missing_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        corpus_module, "PACKAGES", (Package("deb", "no-such-package-watercooler", "0.0", ()),)
    )
    assert corpus_module.main(["build", "--dest", str(tmp_path)]) == 2
    assert "no-such-package-watercooler" in capsys.readouterr().err


def _sample_corpus(root: Path) -> Path:
    """A corpus laid out like bench/corpus.py's, from the sample's HTML, RST, text and PDFs."""
    for fmt, pattern in (("html", "*.html"), ("rst", "*.rst"), ("txt", "*.txt"), ("pdf", "*.pdf")):
        for path in sorted(SAMPLE.rglob(pattern))[:3]:
            target = root / fmt / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    (root / "small").mkdir()
    for i in range(3):
        (root / "small" / f"page-{i}.txt").write_text(f"Small page {i} says one short thing.\n")
    (root / "manifest.json").write_text("{}")
    return root


@pytest.mark.slow
def test_quick_run_reports_every_format(tmp_path: Path) -> None:
    out = tmp_path / "real.json"
    corpus = _sample_corpus(tmp_path / "corpus")
    assert bench_main(["--quick", "--corpus", str(corpus), "--out", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures["per_format"]) == {"html", "rst", "txt", "pdf", "small"}
    for row in figures["per_format"].values():
        assert row["job_failed"] == 0 and row["job_chunks"] == row["chunks"] > 0
        assert row["parse_files_per_s_per_core"] > 0 and row["ratio"] > 0
    for fmt in ("html", "rst"):
        compared = figures["per_format"][fmt]["before_after"]
        assert compared["identical_blocks"] == f"{compared['files']}/{compared['files']}"
    assert figures["parse_workers"] >= 1 and figures["fixed_cost_ms_per_file"] > 0
    assert figures["mixed"]["chunks"] == sum(
        r["job_chunks"] for r in figures["per_format"].values()
    )


def test_missing_corpus_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_main(["--corpus", str(tmp_path / "none")]) == 2
    assert "python -m bench.corpus build" in capsys.readouterr().err
