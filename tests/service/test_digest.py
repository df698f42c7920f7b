"""The reviewers' digest against real receivers on 127.0.0.1: an SMTP server (aiosmtpd) and a
chat webhook (an HTTP server); a mail server that is down loses nothing."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core.config import Settings, get_settings
from core.db import Database, KeyStore, ManifestStore, ModerationStore, Outbox, PeopleStore
from core.digest import deliver, smtp_sender, webhook_sender
from core.schema import Person
from service.__main__ import main
from tests.core.db.test_db_manifest import make_doc

TRAINER = "priya"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def setup(tmp_path: Path, smtp_port: int, webhook_url: str) -> Settings:
    """A database with a trainer, an overdue verification, a flag, and a hidden flagged page."""
    settings = get_settings(
        data_dir=tmp_path,
        moderation={"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "webhook_url": webhook_url},
    )
    db = Database(settings.database_url)
    manifest, store = ManifestStore(db), ModerationStore(db)
    PeopleStore(db).upsert_many([Person(id=TRAINER, name="Priya", email="priya@example.com")])
    KeyStore(db).create(TRAINER, [], "trainer")
    old = make_doc(native_id="old", title="Old travel rules").model_copy(update={"groups": []})
    flagged = make_doc(native_id="vault", title="Vault rules").model_copy(update={"groups": []})
    secret = make_doc(native_id="hr", title="Salary bands")  # in the eng group only
    for doc in (old, flagged, secret):
        manifest.put_document(doc, ["c1"], [], [], None)
    store.change(old.id, "verified", TRAINER, expires_at=datetime.now(UTC) - timedelta(days=3))
    store.flag(flagged.id, "c1", "ann", "wrong", None)
    store.flag(secret.id, "c1", "ann", "wrong", None)
    db.dispose()
    return settings


def test_dry_run_prints_and_sends_nothing(
    tmp_path: Path,
    smtp: tuple[Inbox, int],
    webhook: tuple[list[dict[str, Any]], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = setup(tmp_path, smtp[1], webhook[1])
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", str(settings.data_dir))
    assert main(["digest", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "To priya: Watercooler review: 2 new, 0 overdue" in out
    assert "Vault rules" in out and "Old travel rules" in out
    assert "Salary bands" not in out  # Priya may not see it
    db = Database(settings.database_url)
    assert Outbox(db).all() == [] and smtp[0].messages == [] and webhook[0] == []
    db.dispose()


def test_the_digest_reaches_mail_and_chat(
    tmp_path: Path,
    smtp: tuple[Inbox, int],
    webhook: tuple[list[dict[str, Any]], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = setup(tmp_path, smtp[1], webhook[1])
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("WATERCOOLER_MODERATION__SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WATERCOOLER_MODERATION__SMTP_PORT", str(smtp[1]))
    monkeypatch.setenv("WATERCOOLER_MODERATION__WEBHOOK_URL", webhook[1])
    assert main(["digest"]) == 0
    (mail,) = smtp[0].messages
    assert mail["To"] == "priya@example.com"
    assert mail["Subject"] == "Watercooler review: 2 new, 0 overdue"
    body = mail.get_payload()
    assert "Vault rules" in body and "flagged by 1 person (wrong)" in body
    assert "Salary bands" not in body
    (chat,) = webhook[0]
    assert chat["text"].startswith("For priya: Watercooler review")
    db = Database(settings.database_url)
    assert all(m.sent is not None for m in Outbox(db).all())
    db.dispose()


def test_a_mail_server_that_is_down_loses_nothing(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    dead = free_port()
    settings = setup(tmp_path, dead, "http://127.0.0.1:9/hook")
    db = Database(settings.database_url)
    outbox = Outbox(db)
    outbox.add("email", "priya@example.com", "Watercooler review", "body")
    now = datetime.now(UTC)
    down = settings.moderation
    assert deliver(outbox, {"email": smtp_sender(down)}, down, now) == (0, 1)
    (kept,) = outbox.all()
    assert kept.sent is None and kept.attempts == 1 and "Connection" in (kept.last_error or "")
    assert outbox.due(now) == []  # backing off
    assert outbox.due(now + timedelta(seconds=down.backoff_s)) != []
    up = down.model_copy(update={"smtp_port": smtp[1]})
    later = now + timedelta(seconds=down.backoff_s)
    assert deliver(outbox, {"email": smtp_sender(up)}, up, later) == (1, 0)
    assert [m["Subject"] for m in smtp[0].messages] == ["Watercooler review"]
    assert outbox.all()[0].sent is not None
    # A webhook that never answers is given up after max_attempts, still kept in the outbox.
    hook_id = outbox.add("webhook", "priya", "s", "b")
    few = up.model_copy(update={"max_attempts": 2, "send_timeout_s": 1.0})
    for step in range(2):
        deliver(outbox, {"webhook": webhook_sender(few)}, few, later + timedelta(days=step + 1))
    gone = next(m for m in outbox.all() if m.id == hook_id)
    assert gone.failed is not None and gone.attempts == 2
    db.dispose()
