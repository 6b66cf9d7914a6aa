"""The picture viewer, driven by keyboard: zoom, fit, rotate, previous/next, Esc; hostile pictures
show why they are not shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from agent_desktop.ui.image_viewer import MAX_RENDER_PIXELS, ImageViewer, ViewerItem
from tests.ui.attachment_samples import picture, png_bomb
from tests.ui.conftest import run_until


def _items(tmp_path):
    files = {"wide.png": picture(800, 400), "bomb.png": png_bomb(), "tall.jpg": picture(300, 600, "JPEG")}
    items = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        items.append(ViewerItem(name, path))
    items.append(ViewerItem("later.png", None))
    return items


def _wait_shown(loop, viewer, index):
    shown: list[int] = []
    viewer.picture_shown.connect(shown.append)
    return lambda: run_until(loop, lambda: index in shown)


def test_the_viewer_is_driven_by_keyboard(qtbot, loop, tmp_path):
    items = _items(tmp_path)
    viewer = ImageViewer(items, 0)
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)   # shortcuts act in the active window
    run_until(loop, lambda: viewer.image is not None)
    width, height = viewer.shown_size()
    assert width < 800 and abs(width / height - 2) < 0.05     # fitted, aspect kept
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.zoom is not None and viewer.shown_size()[0] > width
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.shown_size()[0] < width
    qtbot.keyClick(viewer, Qt.Key.Key_0)
    assert viewer.zoom is None and viewer.shown_size() == (width, height)
    qtbot.keyClick(viewer, Qt.Key.Key_R)
    assert viewer.rotation == 90
    rotated = viewer.shown_size()
    assert rotated[1] > rotated[0]                            # a quarter turn: now tall
    assert "wide.png · 1 of 4" in viewer.caption.text()

    wait = _wait_shown(loop, viewer, 1)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    wait()
    assert viewer.index == 1 and viewer.image is None and viewer.rotation == 0
    assert "too large" in viewer.picture.text()

    wait = _wait_shown(loop, viewer, 3)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)                   # 1 → 0
    qtbot.keyClick(viewer, Qt.Key.Key_Left)                   # 0 → wraps to the last
    wait()
    assert viewer.index == 3 and viewer.picture.text() == "Not downloaded yet."

    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()


def test_a_slow_earlier_picture_never_lands_over_the_one_moved_to(qtbot, loop, tmp_path):
    items = _items(tmp_path)
    viewer = ImageViewer(items, 0)
    qtbot.addWidget(viewer)
    viewer.show()
    wait = _wait_shown(loop, viewer, 2)
    viewer.show_index(2)          # before picture 0's decode came back
    wait()
    run_until(loop, lambda: viewer.image is not None)
    assert viewer.index == 2 and viewer.image.height() == 600
    assert "tall.jpg" in viewer.caption.text()


def test_zooming_in_stops_before_the_rendering_would_need_gigabytes(qtbot, loop, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(picture(2000, 1500))
    viewer = ImageViewer([ViewerItem("photo.png", path)], 0)
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)
    run_until(loop, lambda: viewer.image is not None)
    for _ in range(20):          # 1.25 ** 20 would be 86×: a 2000×1500 photo as 22 GB of pixels
        qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    width, height = viewer.shown_size()
    assert width * height <= MAX_RENDER_PIXELS * 1.01
    assert width > 2000 * 3                                  # still a real zoom
