"""Viewing an attachment kept in the store (a PDF or an image), never via a temp file."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from accessdesk_gui.ui.window_size import fit_to_screen


class AttachmentViewer(QDialog):
    def __init__(
        self, filename: str, media_type: str, data: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Attachment — {filename}")
        fit_to_screen(self, 760, 880)
        lay = QVBoxLayout(self)
        self.kind = "image"
        if media_type == "application/pdf":
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self.kind = "pdf"
            # The bytes stay in memory: no PHI written to a temporary file.
            self._bytes = QByteArray(data)
            self._buffer = QBuffer(self._bytes)
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document = QPdfDocument(self)
            self.document.load(self._buffer)
            view = QPdfView(self)
            view.setPageMode(QPdfView.PageMode.MultiPage)
            view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            view.setDocument(self.document)
            view.setAccessibleName(f"PDF {filename}")
            lay.addWidget(view)
            self.pages = self.document.pageCount()
            return
        pix = QPixmap()
        pix.loadFromData(data)
        self.pages = 1 if not pix.isNull() else 0
        label = QLabel()
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAccessibleName(f"Image {filename}")
        if pix.isNull():
            label.setText("This image cannot be shown.")
        else:
            label.setPixmap(pix)
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setWidgetResizable(True)
        lay.addWidget(scroll)
