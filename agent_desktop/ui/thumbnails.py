"""Customers' pictures decoded safely, and their thumbnails kept in memory and on disk.

An image file is untrusted: a PNG of a few KB can declare 50,000 × 50,000 pixels (10 GB decoded),
a cut-off JPEG decodes into grey garbage, and an SVG is a document that can script and fetch. So
`decode` reads the declared size first and refuses before any pixel is decoded, caps Qt's own
allocation (`QImageReader.setAllocationLimit`), decodes only the formats of `IMAGE_TYPES` (never
SVG), checks a PNG/JPEG really ends, and decodes thumbnails scaled. Decoding and the disk cache
are blocking: call them from a worker (QImage is safe off the GUI thread, QPixmap is not).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QFile, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader

ALLOCATION_LIMIT_MB = 256
MAX_PIXELS = 60_000_000          # ~240 MB as 32-bit pixels: the largest picture we agree to decode
MAX_SIDE = 20_000
SIZES = {"thumb": QSize(240, 180), "inline": QSize(300, 1600)}
# "inline" (an e-mail's cid: picture) fits the thread's bubble at 1366×768 (410 px pane, ~90 px of bubble margins): a wider picture
# widens the whole document, so the text beside it runs past the right edge.
# Qt's format names for IMAGE_TYPES (domain.attachments): the only decoders we let run.
ALLOWED_FORMATS = frozenset({"png", "jpeg", "jpg", "gif", "webp", "bmp"})
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"   # the IEND chunk: always these 12 bytes
_TAIL = 64 * 1024                # a JPEG's end marker is looked for this near the end


@dataclass(frozen=True)
class Decoded:
    """A decoded picture, or why it cannot be shown (in the agent's language)."""

    image: QImage | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.image is not None


def _refused(reason: str) -> Decoded:
    return Decoded(None, reason)


def _device(source: Path | bytes) -> QIODevice | None:
    if isinstance(source, bytes):
        buffer = QBuffer()
        buffer.setData(QByteArray(source))
        device: QIODevice = buffer
    else:
        device = QFile(str(source))
    return device if device.open(QIODevice.OpenModeFlag.ReadOnly) else None


def _tail(device: QIODevice) -> bytes:
    size = device.size()
    device.seek(max(0, size - _TAIL))
    data = bytes(device.read(_TAIL).data())
    device.seek(0)
    return data


def _complete(fmt: str, tail: bytes) -> bool:
    """A PNG ends with its IEND chunk, a JPEG with its EOI marker; a cut-off file does not."""
    if fmt == "png":
        return _PNG_END in tail   # (some tools append bytes after it)
    if fmt in ("jpeg", "jpg"):
        return b"\xff\xd9" in tail
    return True


def decode(source: Path | bytes, fit: QSize | None = None) -> Decoded:
    """The picture in `source` (a file or its bytes), scaled to fit `fit` when given."""
    translate = QCoreApplication.translate
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    device = _device(source)
    if device is None:
        return _refused(translate("Thumbnails", "The file could not be read."))
    try:
        tail = _tail(device)   # before the reader: it keeps its own place in the device
        reader = QImageReader(device)
        reader.setDecideFormatFromContent(True)   # the bytes decide, never the name
        fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
        if fmt not in ALLOWED_FORMATS:
            return _refused(translate("Thumbnails", "This kind of picture is not shown here: save it to look at it."))
        size = reader.size()
        if not size.isValid() or size.isEmpty():
            return _refused(translate("Thumbnails", "The picture is damaged and cannot be shown."))
        if size.width() > MAX_SIDE or size.height() > MAX_SIDE or size.width() * size.height() > MAX_PIXELS:
            # Refused before a single pixel is decoded: the file's header is all we read.
            return _refused(translate("Thumbnails", "The picture is too large to show (%1 × %2 pixels).")
                            .replace("%1", f"{size.width():,}").replace("%2", f"{size.height():,}"))
        if not _complete(fmt, tail):
            return _refused(translate("Thumbnails", "The picture is incomplete (the file was cut off) and cannot be shown."))
        if fit is not None and (size.width() > fit.width() or size.height() > fit.height()):
            reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            return _refused(translate("Thumbnails", "The picture is damaged and cannot be shown."))
        return Decoded(image)
    finally:
        device.close()


class ThumbnailCache:
    """Thumbnails by (sha256, size name): in memory (least recently used first out) and as PNG
    files in `folder` (`<blob folder>/thumbs/<sha>-<size>.png`), so a picture is decoded once.

    `get` only looks in memory (safe on the GUI thread); `load` decodes or reads the disk copy
    (blocking: from a worker). Both may be called from any thread."""

    def __init__(self, folder: Path | None, max_bytes: int = 48 * 1024 * 1024) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._memory: OrderedDict[tuple[str, str], QImage] = OrderedDict()
        self._failed: dict[tuple[str, str], str] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.decoded = 0          # how many times a source was decoded (the tests count cache hits)

    def get(self, sha: str, size: str) -> QImage | None:
        with self._lock:
            image = self._memory.get((sha, size))
            if image is not None:
                self._memory.move_to_end((sha, size))
            return image

    def failure(self, sha: str, size: str) -> str:
        """Why this picture could not be shown ("" when it could or was not tried)."""
        with self._lock:
            return self._failed.get((sha, size), "")

    def disk_path(self, sha: str, size: str) -> Path | None:
        if self.folder is None or not sha.isalnum() or size not in SIZES:
            return None   # a sha from a server is only ever a file name when it is hex
        return self.folder / f"{sha}-{size}.png"

    def load(self, sha: str, size: str, source: Path | bytes) -> Decoded:
        """The thumbnail of `source` (whose hash is `sha`): memory, else disk, else decoded."""
        cached = self.get(sha, size)
        if cached is not None:
            return Decoded(cached)
        on_disk = self.disk_path(sha, size)
        if on_disk is not None and on_disk.is_file():
            found = decode(on_disk, SIZES[size])   # our own file, but read with the same care
            if found.image is not None:
                self._remember(sha, size, found.image)
                return found
        self.decoded += 1
        result = decode(source, SIZES.get(size))
        if result.image is None:
            with self._lock:
                self._failed[(sha, size)] = result.reason
            return result
        self._remember(sha, size, result.image)
        if on_disk is not None:
            self._write(on_disk, result.image)
        return result

    def _remember(self, sha: str, size: str, image: QImage) -> None:
        with self._lock:
            old = self._memory.pop((sha, size), None)
            if old is not None:
                self._bytes -= old.sizeInBytes()
            self._memory[(sha, size)] = image
            self._bytes += image.sizeInBytes()
            while self._bytes > self.max_bytes and len(self._memory) > 1:
                _key, dropped = self._memory.popitem(last=False)
                self._bytes -= dropped.sizeInBytes()

    @staticmethod
    def _write(path: Path, image: QImage) -> None:
        """Temp file then rename: a half-written thumbnail is never read back."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            if image.save(str(partial), "PNG"):  # type: ignore[call-overload]  # stubs miss (str, format)
                partial.replace(path)
            else:
                partial.unlink(missing_ok=True)
        except OSError:
            pass   # a thumbnail we cannot keep is decoded again next time; nothing is lost
