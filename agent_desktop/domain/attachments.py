"""Files on messages: the record, what its bytes really are, and names safe to show and to save.

A customer's file is untrusted twice: its bytes (a "photo" that is a Windows program) and its
name (`invoice\u202efdp.exe` shows as "invoiceexe.pdf"; `../../.bashrc` climbs out of a folder).
Everything here is pure: the server sniffs uploads with `sniff`, the client shows `display_name`,
writes only `save_name`, and asks before opening what `is_risky` names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

import puremagic

DEFAULT_MAX_BYTES = 25 * 1024 * 1024      # per file; the server's limit is configurable
MAX_ATTACHMENTS_PER_MESSAGE = 20
MAX_NAME_LENGTH = 255
SNIFF_BYTES = 8192                        # how much of a file `sniff` needs to see
OCTET_STREAM = "application/octet-stream"

# Shown inline as a thumbnail and in the viewer (decoded by Qt with an allocation limit). SVG is
# deliberately absent: it is a document that can script and fetch, so it is only ever a file.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
PDF_TYPE = "application/pdf"

# Opening one of these runs code (on Windows or Linux): the app asks first and says why.
RISKY_EXTENSIONS = frozenset({
    "exe", "com", "scr", "pif", "msi", "msp", "msix", "appx", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js",
    "jse", "wsf", "wsh", "hta", "cpl", "lnk", "reg", "jar", "dll", "sys", "sh", "bash", "zsh", "csh", "run",
    "bin", "elf", "appimage", "deb", "rpm", "py", "pyw", "pl", "rb", "php", "desktop", "command", "app",
    "iso", "img", "vhd", "vhdx", "docm", "xlsm", "pptm", "html", "htm", "svg", "xhtml", "mht", "url",
})
RISKY_TYPES = frozenset({
    "application/x-msdownload", "application/x-dosexec", "application/x-executable", "application/x-elf",
    "application/x-sharedlib", "application/x-mach-binary", "application/java-archive", "application/x-msi",
    "application/x-sh", "application/x-shellscript", "text/x-shellscript", "application/x-python",
    "text/html", "image/svg+xml", "application/xhtml+xml", "application/vnd.microsoft.portable-executable",
})

# Bidirectional overrides and isolates, zero-width and other invisible format characters: they make
# a name read differently from what it is. Category Cf covers them all; Cc are control characters.
_INVISIBLE = {"Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp"}
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Attachment:
    """One file on a message, as the server describes it (the bytes come separately)."""

    id: str
    name: str
    size: int
    content_type: str = OCTET_STREAM
    sha256: str = ""          # hex; "" when the backend does not say
    content_id: str = ""      # an e-mail part's Content-ID: what `cid:` in its HTML body points at
    inline: bool = False      # an e-mail's inline part (a logo, a pasted picture) rather than a file

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF_TYPE


class InvalidAttachment(ValueError):
    """An attachment description that cannot be used (names the field)."""


def parse_attachment(data: Any) -> Attachment:
    if not isinstance(data, dict):
        raise InvalidAttachment(f"an attachment must be an object, got {type(data).__name__}")
    ident, name, size = data.get("id"), data.get("name"), data.get("size")
    if type(ident) is not str or not 0 < len(ident) <= 128:
        raise InvalidAttachment("attachment field 'id' must be a non-empty string")
    if type(name) is not str or len(name) > 4 * MAX_NAME_LENGTH:
        raise InvalidAttachment("attachment field 'name' must be a string")
    if type(size) is not int or size < 0 or size > 2**53:
        raise InvalidAttachment("attachment field 'size' must be a non-negative integer")
    content_type = data.get("content_type") or OCTET_STREAM
    sha = data.get("sha256") or ""
    content_id = data.get("content_id") or ""
    if type(content_type) is not str or len(content_type) > 200 or type(sha) is not str or len(sha) > 128:
        raise InvalidAttachment("attachment fields 'content_type' and 'sha256' must be short strings")
    if type(content_id) is not str or len(content_id) > 500:
        raise InvalidAttachment("attachment field 'content_id' must be a short string")
    return Attachment(id=ident, name=name, size=size, content_type=content_type.lower().split(";")[0].strip(),
                      sha256=sha.lower(), content_id=content_id.strip("<> "), inline=data.get("inline") is True)


def parse_attachments(value: Any) -> tuple[Attachment, ...]:
    """A message's list; None or [] is none. A malformed entry makes the whole list invalid, so
    the message is reported rather than shown without a file the customer sent."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidAttachment("field 'attachments' must be a list")
    if len(value) > 10 * MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidAttachment("field 'attachments' has too many entries")
    return tuple(parse_attachment(item) for item in value)


# -- what the bytes are ------------------------------------------------------------------------------

# What puremagic's table leaves out and matters here: programs and scripts must never pass as text.
_EXTRA_SIGNATURES = ((b"\x7fELF", "application/x-executable"), (b"#!", "text/x-shellscript"),
                     (b"MZ", "application/x-msdownload"))


def sniff(head: bytes) -> str:
    """The content type the bytes say (first `SNIFF_BYTES`), never the name: octet-stream if unknown."""
    head = head[:SNIFF_BYTES]
    if not head:
        return OCTET_STREAM
    try:
        found = (puremagic.from_string(head, mime=True) or "").lower()
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return found
    for signature, content_type in _EXTRA_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:   # not merely a character cut at the end of the sample
                return OCTET_STREAM
        return "text/plain"
    return OCTET_STREAM


def extension(name: str) -> str:
    """The real last extension of a name, as the system will see it ("" when none)."""
    base = display_name(name)
    return base.rsplit(".", 1)[1].lower() if "." in base.strip(".") else ""


def is_risky(name: str, content_type: str) -> bool:
    """Opening this would run code (by its real extension or by what its bytes are)."""
    return extension(name) in RISKY_EXTENSIONS or content_type.lower() in RISKY_TYPES


def name_disagrees(name: str, content_type: str) -> bool:
    """The name claims an image or a PDF but the bytes are something else (or the other way round)."""
    ext = extension(name)
    claims_image = ext in {"png", "jpg", "jpeg", "gif", "webp", "bmp"}
    claims_pdf = ext == "pdf"
    if claims_image:
        return content_type not in IMAGE_TYPES
    if claims_pdf:
        return content_type != PDF_TYPE
    return False


# -- names ---------------------------------------------------------------------------------------------

def display_name(name: str) -> str:
    """The name as it really reads: invisible and direction-changing characters removed (so
    `invoice\u202efdp.exe` shows as `invoicefdp.exe`), whitespace collapsed, length capped."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", name)
                      if unicodedata.category(ch) not in _INVISIBLE or ch == " ")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > 120:   # keep the extension visible: it is the part that matters
        head, dot, ext = cleaned.rpartition(".")
        cleaned = (head[:100] + "…" + dot + ext[:15]) if dot and len(ext) <= 15 else cleaned[:119] + "…"
    return cleaned or "attachment"


def save_name(name: str, fallback: str = "attachment") -> str:
    """A file name safe to create inside a chosen folder on Windows and Linux: no folders
    (`../../.bashrc` becomes `.bashrc` → `_bashrc`), no reserved or hidden names, no invisible
    characters, at most 255 bytes with the extension kept."""
    base = display_name(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_IN_NAME.sub("_", base).strip().strip(".")
    if base.startswith("."):
        base = "_" + base[1:]
    if not base or base in {".", ".."}:
        base = fallback
    if _WINDOWS_RESERVED.match(base):
        base = "_" + base
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    while len((stem + dot + ext).encode("utf-8")) > MAX_NAME_LENGTH and stem:
        stem = stem[:-1]
    return (stem + dot + ext) or fallback


def human_size(size: int) -> str:
    """1.2 MB, 340 KB, 12 B: the same in both languages (units are international)."""
    step = 1024.0
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < step or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= step
    return f"{size} B"
