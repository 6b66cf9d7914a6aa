"""Moving files to and from a vendor without holding them whole in memory (RT, Zammad, Zendesk, Chatwoot).

- `UploadBody`: a request body made of literal bytes and staged files (raw, or base64 inside a JSON
  string), read block by block as `requests` sends it, with a known length (no chunked encoding,
  which some servers refuse) and progress; the progress callback may raise `TransferCancelled`.
- `send_body` / `open_download`: `HttpClient.stream` with that body, or with the answer left
  streaming; `open_url`: a vendor's absolute file address, credentials only for its own host.
- `JsonBase64Field`: the bytes of one base64 string field of a streamed JSON answer (RT's REST2
  serves attachment content that way), decoded as the answer arrives.
- `copy_stream`: a download's bytes to `dest`, counted against a cap, hashed, with progress.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from .base import MalformedResponse, NetworkError, Rejected, TlsError
from .http import HttpClient, check_url, is_loopback
from .protocols import OutgoingFile, Progress

BLOCK = 48 * 1024          # a multiple of 3: each block of a file encodes to base64 on its own
READ = 64 * 1024


@dataclass(frozen=True)
class FilePart:
    """A staged file inside an upload body, as its bytes or as base64 text."""

    file: OutgoingFile
    base64: bool = False

    @property
    def length(self) -> int:
        return 4 * ((self.file.size + 2) // 3) if self.base64 else self.file.size


class UploadBody:
    """A streamed request body: `parts` in order, files read only as they are sent."""

    def __init__(self, parts: list[bytes | FilePart], progress: Progress | None = None) -> None:
        self.parts = parts
        self.progress = progress
        self.total_file_bytes = sum(p.file.size for p in parts if isinstance(p, FilePart))
        self._length = sum(p.length if isinstance(p, FilePart) else len(p) for p in parts)
        self._blocks: Iterator[bytes] | None = None
        self._pending = b""
        self.sent_file_bytes = 0

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        return self._generate()

    def read(self, size: int = -1) -> bytes:
        if self._blocks is None:
            self._blocks = self._generate()
        out = bytearray(self._pending)
        while size < 0 or len(out) < size:
            block = next(self._blocks, None)
            if block is None:
                break
            out += block
        if size >= 0:
            self._pending = bytes(out[size:])
            del out[size:]
        else:
            self._pending = b""
        return bytes(out)

    def _generate(self) -> Iterator[bytes]:
        if self.progress is not None:
            self.progress(0, self.total_file_bytes)
        for part in self.parts:
            if isinstance(part, bytes):
                yield part
                continue
            done = 0
            with open(part.file.path, "rb") as source:
                while done < part.file.size:
                    block = source.read(min(BLOCK, part.file.size - done))
                    if not block:
                        break
                    done += len(block)
                    self.sent_file_bytes += len(block)
                    yield base64.b64encode(block) if part.base64 else block
                    if self.progress is not None:
                        self.progress(self.sent_file_bytes, self.total_file_bytes)
                if done != part.file.size or source.read(1):
                    # The length was promised in Content-Length: a changed file cannot be sent.
                    raise Rejected(f"the file {part.file.name!r} changed after it was attached; attach it again",
                                   400)


def json_with_files(fields: dict[str, Any], list_key: str, files: list[OutgoingFile],
                    entry: Callable[[OutgoingFile], dict[str, Any]], data_key: str) -> list[bytes | FilePart]:
    """The parts of a JSON body: `fields` plus `list_key`: [entry(file) with `data_key` holding the
    file in base64, …], the files streamed from their staged copies. ASCII JSON: any character a
    name holds travels as an escape."""
    head = json.dumps(fields)[:-1] + (", " if fields else "") + json.dumps(list_key) + ": ["
    parts: list[bytes | FilePart] = [head.encode("ascii")]
    for number, item in enumerate(files):
        described = json.dumps(entry(item))[:-1]
        parts += [(", " if number else "").encode() + described.encode("ascii")
                  + (", " if described != "{" else "").encode() + json.dumps(data_key).encode() + b': "',
                  FilePart(item, base64=True), b'"}']
    parts.append(b"]}")
    return parts


def with_our_hashes(attachments: list[dict[str, Any]], files: list[OutgoingFile]) -> list[dict[str, Any]]:
    """The files a vendor stored, with the hashes we computed when they were attached (vendors keep
    none): matched by name and size, in order."""
    ours = [(f.name, f.size, f.sha256) for f in files]
    stored = []
    for item in attachments:
        match = next((o for o in ours if o[0] == item.get("name") and o[1] == item.get("size")), None)
        if match is not None:
            ours.remove(match)
            item = {**item, "sha256": match[2]}
        stored.append(item)
    return stored


def check_sizes(files: list[OutgoingFile], max_bytes: int, *, max_total: int | None = None) -> None:
    """Refuse before sending what the vendor would refuse (a clear sentence, not its 413 page)."""
    for item in files:
        if item.size > max_bytes:
            raise Rejected(f"{item.name} is larger than this server takes ({max_bytes // (1024 * 1024)} MB)", 413)
    if max_total is not None and sum(f.size for f in files) > max_total:
        raise Rejected(f"the files together are larger than this server takes in one message "
                       f"({max_total // (1024 * 1024)} MB)", 413)


def send_body(http: HttpClient, method: str, path: str, body: UploadBody, *, content_type: str,
              params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> requests.Response:
    """Send a streamed body; the answer is read whole (it describes what was stored)."""
    return http.stream(method, path, data=body, params=params, read_answer=True,
                       headers={"Content-Type": content_type, **(headers or {})})


def open_download(http: HttpClient, path: str, *, params: dict[str, Any] | None = None,
                  accept: str = "*/*") -> requests.Response:
    """A GET whose answer is left to stream (close it when done); an error status raises."""
    return http.stream("GET", path, params=params, headers={"Accept": accept})


def open_url(http: HttpClient, url: str, *, max_redirects: int = 3) -> requests.Response:
    """A GET of an absolute URL a vendor gave (a file's `content_url`), left to stream. Credentials
    go only to the adapter's own server: a file kept elsewhere (a CDN) is fetched without them, and
    every hop must be https (or this machine), as for the server itself."""
    own = urlsplit(http.base_url)
    for _hop in range(max_redirects + 1):
        try:
            check_url(url)
        except ValueError as exc:
            raise Rejected(f"the file's address is not one the app fetches from: {exc}", 400) from exc
        target = urlsplit(url)
        if is_loopback(target.hostname or "") and not is_loopback(own.hostname or ""):
            # A vendor in the cloud (or a redirect of its CDN) never keeps files on this computer:
            # such an address would make the app read a local service and show it as the file.
            raise Rejected("the file's address points at this computer, not at the helpdesk", 400)
        same = (target.scheme, target.hostname, target.port) == (own.scheme, own.hostname, own.port)
        headers = http._headers({"Accept": "*/*"}, same)   # credentials for the own host only
        try:
            response = http._session().get(url, headers=headers, timeout=http.timeout, verify=http.verify,
                                           allow_redirects=False, stream=True)
        except requests.exceptions.SSLError as exc:
            raise TlsError("the file's server certificate could not be verified") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise NetworkError(f"cannot reach the file's server: {type(exc).__name__}") from exc
        if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            response.close()
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code >= 300:
            http._read_body(response, time.monotonic() + http.deadline)
            http._raise_for_status(response)
        return response
    raise MalformedResponse("the file's address redirected too many times")


class Sink:
    """Where downloaded bytes go: `dest`, counted against `cap`, hashed, progress told."""

    def __init__(self, dest: BinaryIO, total: int, cap: int, progress: Progress | None) -> None:
        self.dest, self.total, self.cap, self.progress = dest, total, cap, progress
        self.done = 0
        self.hash = hashlib.sha256()
        if progress is not None:
            progress(0, total)

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.done += len(data)
        if self.done > self.cap:
            raise MalformedResponse(f"the file is larger than {self.cap // (1024 * 1024)} MB; it was not kept")
        self.hash.update(data)
        self.dest.write(data)
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done))

    def verify(self, expected_sha256: str) -> str:
        found = self.hash.hexdigest()
        if expected_sha256 and found != expected_sha256.lower():
            raise MalformedResponse("the downloaded file is not the one the server described (its hash differs)")
        return found


def copy_stream(http: HttpClient, response: requests.Response, sink: Sink) -> None:
    try:
        for chunk in http.read_chunks(response):
            sink.write(chunk)
    finally:
        response.close()


_B64 = re.compile(rb"[^A-Za-z0-9+/=]")


class JsonBase64Field:
    """Decode the string value of top-level key `key` of a JSON document fed in pieces.

    The key is found by its quoted name followed by a colon: inside a JSON string every quote is
    escaped, so the pattern can only be a key. Only the escapes a base64 value may carry are
    accepted (line breaks, an escaped slash)."""

    def __init__(self, key: str) -> None:
        self._key = re.compile(rb'"' + re.escape(key.encode()) + rb'"\s*:\s*"')
        self._head = b""           # before the value: kept short, only to find the key across pieces
        self._inside = False
        self._escape = False
        self._b64 = bytearray()
        self.finished = False

    def feed(self, chunk: bytes) -> bytes:
        if self.finished:
            return b""
        if not self._inside:
            self._head += chunk
            found = self._key.search(self._head)
            if found is None:
                self._head = self._head[-256:]
                return b""
            chunk, self._head, self._inside = self._head[found.end():], b"", True
        text = bytearray()
        i = 0
        if self._escape and chunk:
            text += self._unescape(chunk[0:1])
            self._escape, i = False, 1
        while i < len(chunk):
            quote, slash = chunk.find(b'"', i), chunk.find(b"\\", i)
            if slash != -1 and (quote == -1 or slash < quote):
                text += chunk[i:slash]
                if slash + 1 == len(chunk):
                    self._escape = True
                    break
                text += self._unescape(chunk[slash + 1:slash + 2])
                i = slash + 2
            elif quote != -1:
                text += chunk[i:quote]
                self.finished = True
                break
            else:
                text += chunk[i:]
                break
        if _B64.search(text):
            raise MalformedResponse("the server's file content is not base64")
        self._b64 += text
        usable = len(self._b64) if self.finished else len(self._b64) - len(self._b64) % 4
        piece, self._b64 = bytes(self._b64[:usable]), self._b64[usable:]
        try:
            return base64.b64decode(piece, validate=True) if piece else b""
        except ValueError as exc:
            raise MalformedResponse("the server's file content is not valid base64") from exc

    @staticmethod
    def _unescape(char: bytes) -> bytes:
        if char in (b"n", b"r", b"t"):
            return b""
        if char == b"/":
            return b"/"
        raise MalformedResponse("the server's file content is not base64")


def decode_json_field(http: HttpClient, response: requests.Response, key: str, sink: Sink) -> None:
    """Stream `response` (JSON) and write the decoded base64 field `key` to `sink`."""
    field = JsonBase64Field(key)
    try:
        for chunk in http.read_chunks(response):
            sink.write(field.feed(chunk))
            if field.finished:
                break
    finally:
        response.close()
    if not field.finished:
        raise MalformedResponse(f"the server's answer has no complete {key!r}")
