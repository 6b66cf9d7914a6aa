"""E-mail signatures: the agent's own and each queue's, in English and Chinese.

They live in one small JSON file in the data folder (`signatures.json`), beside the cache: only
signature texts, never a token, password or anything from the server. A reply to a customer gets
the agent's signature, then the queue's, in the conversation's language (the other language when
that one is blank). A damaged file is set aside (`signatures.json.damaged`) instead of crashing or
being overwritten unseen.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.knowledge import detect_language
from ..domain.text import clean_body
from . import paths

log = logging.getLogger(__name__)

FILE_NAME = "signatures.json"
MAX_LENGTH = 2_000          # characters per signature: a signature, not a letter
MAX_FILE_BYTES = 512 * 1024
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Signature:
    en: str = ""
    zh: str = ""

    def text(self, language: str) -> str:
        """In `language` ("zh" or "en"), else in the other one."""
        chosen = self.zh if language.startswith("zh") else self.en
        return chosen or (self.en if language.startswith("zh") else self.zh)

    @property
    def empty(self) -> bool:
        return not (self.en or self.zh)


def _clean(text: Any) -> str:
    return clean_body(str(text or "")).replace("\r\n", "\n").strip()[:MAX_LENGTH]


def _parse(data: Any) -> Signature:
    if not isinstance(data, dict):
        return Signature()
    return Signature(en=_clean(data.get("en")), zh=_clean(data.get("zh")))


class SignatureService:
    """Read once when built; `save()` writes the whole file atomically (call it off the GUI thread)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / FILE_NAME
        self._lock = threading.Lock()
        self._agents: dict[str, Signature] = {}
        self._queues: dict[str, Signature] = {}
        self._load()

    def _load(self) -> None:
        try:
            if not self.path.exists():
                return
            if self.path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError("too large")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            log.warning("signatures file unreadable (%s): set aside, starting empty", type(exc).__name__)
            try:
                os.replace(self.path, self.path.with_name(FILE_NAME + ".damaged"))
            except OSError:
                pass
            return
        for key, target in (("agents", self._agents), ("queues", self._queues)):
            found = data.get(key)
            if isinstance(found, dict):
                target.update({str(k): _parse(v) for k, v in found.items() if not _parse(v).empty})

    # -- reading -----------------------------------------------------------------------------------
    def agent(self, agent_id: str) -> Signature:
        return self._agents.get(agent_id, Signature())

    def queue(self, queue_id: str) -> Signature:
        return self._queues.get(queue_id, Signature())

    def compose(self, agent_id: str, queue_id: str | None, language: str) -> str:
        """The signature block's text for a reply: the agent's, then the queue's ("" for none)."""
        parts = [self.agent(agent_id).text(language), self.queue(queue_id).text(language) if queue_id else ""]
        return "\n".join(part for part in parts if part)

    # -- changing ----------------------------------------------------------------------------------
    def set_agent(self, agent_id: str, signature: Signature) -> None:
        self._set(self._agents, agent_id, signature)

    def set_queue(self, queue_id: str, signature: Signature) -> None:
        self._set(self._queues, queue_id, signature)

    @staticmethod
    def _set(target: dict[str, Signature], key: str, signature: Signature) -> None:
        clean = Signature(en=_clean(signature.en), zh=_clean(signature.zh))
        if clean.empty:
            target.pop(key, None)
        else:
            target[key] = clean

    def to_json(self) -> dict[str, Any]:
        return {"version": 1,
                "agents": {k: {"en": v.en, "zh": v.zh} for k, v in sorted(self._agents.items())},
                "queues": {k: {"en": v.en, "zh": v.zh} for k, v in sorted(self._queues.items())}}

    def save(self) -> None:
        """Write to a temporary file, then rename: a crash never leaves half a file."""
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".signatures-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise


def reply_language(messages: list[dict[str, Any]], fallback: str) -> str:
    """"zh" or "en": the language of the customer's latest messages (the interface's when none)."""
    texts = [str(m.get("body") or "")[:2000] for m in messages
             if m.get("direction") == "in" and m.get("kind", "reply") == "reply"][-3:]
    if not any(text.strip() for text in texts):
        return "zh" if fallback.startswith("zh") else "en"
    return detect_language(" ".join(texts))
