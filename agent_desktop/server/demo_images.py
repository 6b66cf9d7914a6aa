"""Demo files drawn and written in pure Python: a photo of a damaged parcel (PNG) and an invoice (PDF).

No image or PDF library: the PNG is a small raster (filled polygons) encoded with zlib and
struct, the PDF is hand-written objects with the standard Helvetica fonts (no embedding, so the
text is Latin only). Both are deterministic: the same bytes, so the same sha256, every run.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from functools import lru_cache

Point = tuple[float, float]
Colour = tuple[int, int, int]

WIDTH, HEIGHT = 600, 400


class Canvas:
    """An RGB raster with scanline-filled polygons (enough for a drawn photo)."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(width * height * 3)

    def row(self, y: int, colour: Colour) -> None:
        start = y * self.width * 3
        self.pixels[start:start + self.width * 3] = bytes(colour) * self.width

    def polygon(self, corners: Sequence[Point], colour: Colour) -> None:
        points = list(corners)
        ys = [p[1] for p in points]
        top, bottom = max(0, int(min(ys))), min(self.height - 1, int(max(ys)))
        edges = list(zip(points, points[1:] + points[:1], strict=True))
        for y in range(top, bottom + 1):
            centre = y + 0.5
            crossings = sorted(x0 + (centre - y0) * (x1 - x0) / (y1 - y0)
                               for (x0, y0), (x1, y1) in edges
                               if (y0 <= centre < y1) or (y1 <= centre < y0))
            for left, right in zip(crossings[::2], crossings[1::2], strict=False):
                x0, x1 = max(0, round(left)), min(self.width, round(right))
                if x1 > x0:
                    start = (y * self.width + x0) * 3
                    self.pixels[start:start + (x1 - x0) * 3] = bytes(colour) * (x1 - x0)

    def line(self, a: Point, b: Point, width: float, colour: Colour) -> None:
        (ax, ay), (bx, by) = a, b
        length = max(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5, 1e-6)
        nx, ny = -(by - ay) / length * width / 2, (bx - ax) / length * width / 2
        self.polygon([(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)], colour)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride]) for y in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=1)
def damaged_parcel_png() -> bytes:
    """A cardboard box on a doormat, its corner crushed and its tape torn (600×400)."""
    canvas = Canvas(WIDTH, HEIGHT)
    for y in range(HEIGHT):  # a wall, then a floor, each with a soft gradient
        shade = y / HEIGHT
        canvas.row(y, (int(214 - 30 * shade), int(218 - 30 * shade), int(224 - 24 * shade)) if y < 250
                   else (int(150 - 40 * shade), int(128 - 40 * shade), int(104 - 36 * shade)))
    canvas.polygon([(90, 300), (520, 300), (560, 385), (50, 385)], (92, 74, 58))            # the doormat
    canvas.polygon([(140, 345), (400, 345), (475, 300), (470, 318), (400, 360), (135, 358)], (60, 48, 40))  # shadow
    front = [(150, 170), (390, 170), (390, 340), (150, 340)]
    top = [(150, 170), (220, 118), (460, 118), (390, 170)]
    side = [(390, 170), (460, 118), (460, 290), (390, 340)]
    canvas.polygon(front, (192, 138, 79))
    canvas.polygon(top, (217, 168, 106))
    canvas.polygon(side, (156, 107, 56))
    # the crushed corner: the top folds in, the front and side buckle
    canvas.polygon([(330, 170), (390, 170), (460, 118), (430, 118), (372, 198)], (120, 82, 44))
    canvas.polygon([(372, 198), (390, 170), (390, 236)], (98, 66, 34))
    canvas.polygon([(390, 170), (460, 118), (452, 160), (404, 206)], (112, 76, 40))
    for a, b in (((336, 176), (372, 198)), ((372, 198), (388, 232)), ((404, 206), (452, 160)), ((350, 172), (366, 214))):
        canvas.line(a, b, 2.5, (70, 46, 24))
    # parcel tape across the top and down the front, torn open near the dent
    canvas.polygon([(258, 170), (288, 170), (346, 118), (316, 118)], (232, 221, 181))
    canvas.polygon([(258, 170), (288, 170), (288, 232), (258, 226)], (232, 221, 181))
    canvas.polygon([(258, 244), (288, 250), (288, 340), (258, 340)], (232, 221, 181))
    canvas.polygon([(258, 226), (288, 232), (276, 246), (262, 238)], (205, 190, 150))      # the torn flap
    # a split running down the front
    for a, b in (((200, 188), (214, 214)), ((214, 214), (206, 238)), ((206, 238), (222, 262)), ((222, 262), (216, 286))):
        canvas.line(a, b, 3.0, (64, 40, 20))
    # the shipping label with a bar code, and a red "fragile" sticker on the side
    canvas.polygon([(300, 262), (375, 262), (375, 326), (300, 326)], (248, 248, 244))
    for index, bar in enumerate((2, 1, 3, 1, 2, 1, 1, 3, 2, 1, 2, 1, 3, 1, 2)):
        x = 306 + sum((2, 1, 3, 1, 2, 1, 1, 3, 2, 1, 2, 1, 3, 1, 2)[:index]) * 2 + index * 2
        canvas.polygon([(x, 298), (x + bar * 1.5, 298), (x + bar * 1.5, 320), (x, 320)], (24, 24, 24))
    for y in (270, 278, 286):
        canvas.line((306, y), (366, y), 2.0, (90, 90, 90))
    canvas.polygon([(405, 220), (445, 192), (445, 232), (405, 262)], (200, 40, 36))
    canvas.line((415, 232), (436, 217), 3.0, (250, 240, 240))
    canvas.line((425, 226), (425, 246), 3.0, (250, 240, 240))
    return canvas.png()


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# (font, size, [(x, text), …]) per line: columns at fixed places, as Helvetica is proportional.
INVOICE_LINES: tuple[tuple[str, int, tuple[tuple[int, str], ...]], ...] = (
    ("F2", 20, ((60, "INVOICE"),)),
    ("F1", 11, ((60, "Agent Desktop Demo Store Ltd., 88 Harbour Road, Shanghai"),)),
    ("F1", 11, ((60, "Invoice no. INV-2026-004217"), (330, "Date: 2026-11-28"))),
    ("F1", 11, ((60, "Order no. 2026112800421"),)),
    ("F1", 11, ()),
    ("F2", 12, ((60, "Item"), (400, "Qty"), (470, "Price"))),
    ("F1", 11, ((60, "Wireless noise-cancelling earbuds Pro"), (405, "1"), (470, "$142.71"))),
    ("F1", 11, ((60, "Protective carry case"), (405, "1"), (470, "$9.90"))),
    ("F1", 11, ((60, "Express shipping (insured)"), (405, "1"), (470, "$0.00"))),
    ("F1", 11, ()),
    ("F2", 12, ((60, "Total paid: $152.61 (card ending 4417)"),)),
    ("F1", 10, ((60, "Goods damaged in transit are replaced or refunded within 30 days."),)),
)


@lru_cache(maxsize=1)
def invoice_pdf() -> bytes:
    """A one-page A4 invoice: a valid PDF 1.4 with an xref table, Helvetica text only."""
    lines, y = ["BT"], 780
    for font, size, columns in INVOICE_LINES:
        for x, text in columns:
            lines.append(f"/{font} {size} Tf 1 0 0 1 {x} {y} Tm ({_pdf_text(text)}) Tj")
        y -= 26 if size >= 20 else 18
    lines.append("ET")
    lines.append("0.6 w 60 700 m 535 700 l S 60 620 m 535 620 l S")
    content = "\n".join(lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (Invoice INV-2026-004217) /Producer (Agent Desktop demo data) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)
