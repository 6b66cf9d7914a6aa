"""Pictures from customers are decoded safely: bombs, cut-off files and SVG are refused with a
reason, thumbnails are decoded scaled, and cached in memory and on disk."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImageReader

from agent_desktop.ui import thumbnails
from agent_desktop.ui.thumbnails import ThumbnailCache, decode
from tests.ui.attachment_samples import HOSTILE_SVG, picture, png_bomb


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(qapp, tmp_path):
    bomb = png_bomb()
    assert len(bomb) < 200
    path = tmp_path / "cute-cat.png"
    path.write_bytes(bomb)
    for source in (bomb, path):
        result = decode(source)
        assert result.image is None
        assert "too large" in result.reason and "50,000 × 50,000" in result.reason
    assert QImageReader.allocationLimit() == thumbnails.ALLOCATION_LIMIT_MB


def test_a_picture_just_over_the_pixel_cap_is_refused_and_one_under_it_is_not(qapp):
    assert decode(png_bomb(thumbnails.MAX_SIDE + 1, 10)).reason.startswith("The picture is too large")
    # 9,000 × 9,000 passes the side cap but not the pixel cap
    assert "too large" in decode(png_bomb(9000, 9000)).reason


def test_a_thumbnail_is_decoded_scaled_to_fit(qapp):
    result = decode(picture(1600, 900, "JPEG"), thumbnails.SIZES["thumb"])
    assert result.ok and result.image.width() <= 240 and result.image.height() <= 180
    assert result.image.width() == 240   # the aspect ratio is kept: 1600×900 → 240×135
    small = decode(picture(100, 50), thumbnails.SIZES["thumb"])
    assert small.image.size() == QSize(100, 50)   # never scaled up


def test_cut_off_pictures_cannot_be_shown(qapp):
    for fmt in ("PNG", "JPEG"):
        whole = picture(400, 300, fmt)
        assert decode(whole).ok
        for cut in (whole[: len(whole) // 2], whole[: len(whole) - 3], whole[:40]):
            result = decode(cut)
            assert result.image is None, (fmt, len(cut))
            assert result.reason


def test_malformed_bytes_and_other_formats_are_refused(qapp):
    for junk in (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"\xff\xd8\xff\xe0" + b"\x00" * 50):
        result = decode(junk)
        assert result.image is None and "cannot be shown" in result.reason
    assert decode(b"not a picture at all").image is None
    assert decode(b"").image is None


def test_svg_is_never_rendered_even_when_named_like_a_photo(qapp, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(HOSTILE_SVG)
    for source in (HOSTILE_SVG, path):
        result = decode(source)
        assert result.image is None and "not shown here" in result.reason


def test_thumbnails_are_cached_in_memory_and_on_disk(qapp, tmp_path):
    source = tmp_path / "blob"
    source.write_bytes(picture(1200, 800))
    sha = "ab" * 32
    cache = ThumbnailCache(tmp_path / "thumbs")
    first = cache.load(sha, "thumb", source)
    assert first.ok and cache.decoded == 1
    assert cache.get(sha, "thumb") is first.image
    assert (tmp_path / "thumbs" / f"{sha}-thumb.png").is_file()
    assert cache.load(sha, "thumb", source).image is first.image and cache.decoded == 1
    # A new cache (the next start) reads the disk copy instead of decoding the original again.
    again = ThumbnailCache(tmp_path / "thumbs")
    source.unlink()
    second = again.load(sha, "thumb", source)
    assert second.ok and again.decoded == 0 and second.image.size() == first.image.size()


def test_the_memory_cache_forgets_the_least_recently_used_first(qapp, tmp_path):
    cache = ThumbnailCache(None, max_bytes=3 * 240 * 160 * 4)
    blobs = {}
    for n in range(4):
        blobs[n] = picture(240, 160, color=f"#00{n}0ff")
        cache.load(f"{n:064x}", "thumb", blobs[n])
        if n == 1:
            cache.get(f"{0:064x}", "thumb")    # 0 used again: 1 is now the oldest
    assert cache.get(f"{1:064x}", "thumb") is None
    assert all(cache.get(f"{n:064x}", "thumb") is not None for n in (0, 2, 3))


def test_a_failure_is_remembered_with_its_reason_and_no_file_name_comes_from_a_bad_sha(qapp, tmp_path):
    cache = ThumbnailCache(tmp_path / "thumbs")
    result = cache.load("cd" * 32, "thumb", png_bomb())
    assert result.image is None and cache.failure("cd" * 32, "thumb") == result.reason
    assert cache.disk_path("../../etc/passwd", "thumb") is None
    assert cache.disk_path("ab" * 32, "huge") is None
    assert not list((tmp_path).rglob("*.png"))
