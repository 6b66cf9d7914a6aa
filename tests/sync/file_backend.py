"""An in-process backend with files, for testing the client's attachment parts on their own.

It keeps what a reference server keeps (uploads by content, one per upload key derived from the
reply's key, messages by idempotency key) and streams real files from the paths it is given, so
the cache, the service and the engine are exercised end to end in one process. Faults are named:
`lose_answers` (the reply is stored, the answer never arrives), `gate` (a download waits until the
test opens it), `wrong_bytes` (the server sends other bytes than the sha it announced).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from typing import Any, BinaryIO

from agent_desktop.backends.base import CORE, Capability, NetworkError
from agent_desktop.backends.protocols import OutgoingFile, Progress
from agent_desktop.domain.attachments import Attachment

CHUNK = 64 * 1024


class FileBackend:
    base_url = "memory://files"

    def __init__(self, *, max_bytes: int = 25 * 1024 * 1024, attachments: bool = True) -> None:
        self.capabilities = frozenset({CORE, Capability.ATTACHMENTS} if attachments else {CORE})
        self.max_bytes = max_bytes
        self.limit_offline = False
        self.files: dict[str, bytes] = {}          # attachment id -> bytes served
        self.downloads: Counter[str] = Counter()
        self.gate: threading.Event | None = None
        self.download_started = threading.Event()
        self.wrong_bytes = False
        self.stored: dict[str, bytes] = {}         # sha256 -> bytes (content-addressed)
        self.uploads: dict[str, str] = {}          # upload key -> sha256
        self.upload_writes = 0                     # bytes objects actually stored
        self.messages: dict[str, dict[str, Any]] = {}
        self.posts: list[tuple[str, str, str]] = []
        self.lose_answers = 0
        self.lock = threading.Lock()

    # -- the file a customer sent -----------------------------------------------------------------
    def serve(self, attachment_id: str, data: bytes, *, name: str = "file.bin",
              content_type: str = "application/octet-stream", with_sha: bool = True) -> Attachment:
        self.files[attachment_id] = data
        return Attachment(id=attachment_id, name=name, size=len(data), content_type=content_type,
                          sha256=hashlib.sha256(data).hexdigest() if with_sha else "")

    # -- Attachments protocol ----------------------------------------------------------------------
    def max_attachment_bytes(self) -> int:
        if self.limit_offline:
            raise NetworkError("the server cannot be reached")
        return self.max_bytes

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        with self.lock:
            self.downloads[attachment.id] += 1
        self.download_started.set()
        if self.gate is not None:
            assert self.gate.wait(30), "the test never opened the gate"
        data = self.files[attachment.id]
        if self.wrong_bytes:
            data = b"not the file" + data
        for start in range(0, len(data), CHUNK):
            dest.write(data[start:start + CHUNK])
            if progress is not None:
                progress(min(start + CHUNK, len(data)), len(data))

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None, resend_since: str | None = None) -> dict[str, Any]:
        total, done = sum(f.size for f in files), 0
        stored = []
        for index, file in enumerate(files):
            upload_key = f"{key}:{index}"   # as the reference adapter derives them: one per reply and file
            if upload_key not in self.uploads:
                digest = hashlib.sha256()
                parts = []
                with open(file.path, "rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        parts.append(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                sha = digest.hexdigest()
                if sha not in self.stored:
                    self.stored[sha] = b"".join(parts)
                    self.upload_writes += 1
                self.uploads[upload_key] = sha
            else:
                done += file.size
            stored.append({"id": f"up-{upload_key}", "name": file.name, "size": file.size,
                           "content_type": file.content_type, "sha256": self.uploads[upload_key]})
        message = self.messages.setdefault(key, {
            "id": f"m-{len(self.messages) + 1}", "conversation_id": conversation_id, "kind": kind,
            "direction": "out", "body": body, "body_html": body_html or "", "created_at": "2026-12-04T19:00:00Z",
            "idempotency_key": key, "attachments": stored})
        if self.lose_answers:
            self.lose_answers -= 1
            raise NetworkError("the connection dropped before the answer arrived")
        return dict(message)

    # -- the core part the outbox uses ---------------------------------------------------------------
    def post_message(self, conversation_id: str, kind: str, body: str, idempotency_key: str) -> dict[str, Any]:
        self.posts.append((conversation_id, kind, body))
        return dict(self.messages.setdefault(idempotency_key, {
            "id": f"m-{len(self.messages) + 1}", "conversation_id": conversation_id, "kind": kind,
            "direction": "out", "body": body, "created_at": "2026-12-04T19:00:00Z",
            "idempotency_key": idempotency_key}))
