"""Window sizes that fit the screen: a 1366x768 or 1280x720 laptop is common at a front desk."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# resize() sizes the inside of a window; its title bar and frame come on top.
FRAME_ALLOWANCE = 40


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to ``width`` x ``height``, or less where the screen is smaller, so that a
    dialog's buttons at the bottom stay on screen.
    """
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        widget.resize(width, height)
        return
    room = screen.availableGeometry()
    widget.resize(
        min(width, room.width() - FRAME_ALLOWANCE // 2),
        min(height, room.height() - FRAME_ALLOWANCE),
    )
