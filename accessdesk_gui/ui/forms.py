"""Form helpers: every field has its own error line, shown right where the value was typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.ui.operations import Op, show_user_error

ERROR_STYLE = "color: #b00020;"


class ErrorForm(QWidget):
    """A QFormLayout whose rows each carry a hidden error label under the field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.general = QLabel()
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        self.form.addRow(self.general)

    def add(self, name: str, label: str, widget: QWidget, help_text: str = "") -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        err = QLabel()
        err.setObjectName(f"error_{name}")
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.hide()
        lay.addWidget(err)
        widget.setObjectName(name)
        widget.setAccessibleName(label.rstrip(":*").strip())
        if help_text:
            widget.setToolTip(help_text)
            widget.setAccessibleDescription(help_text)
        lbl = QLabel(label)
        lbl.setBuddy(widget)
        self.form.addRow(lbl, box)
        self.fields[name] = widget
        self.errors[name] = err
        return widget

    def set_visible(self, name: str, visible: bool) -> None:
        self.form.setRowVisible(self.fields[name].parentWidget(), visible)

    def clear_errors(self) -> None:
        for err in self.errors.values():
            err.hide()
        self.general.hide()

    def show_error(self, name: str, message: str) -> None:
        err = self.errors.get(name)
        if err is None:
            self.general.setText(message)
            self.general.show()
            return
        label = self.fields[name].accessibleName()
        err.setText(f"{label} {message}" if message[:1].islower() else message)
        err.show()
        self.fields[name].setFocus(Qt.FocusReason.OtherFocusReason)

    def error_text(self, name: str) -> str:
        err = self.errors.get(name)
        if err is None:
            return self.general.text() if not self.general.isHidden() else ""
        return err.text() if not err.isHidden() else ""

    # -- typed getters ------------------------------------------------------------------

    def text(self, name: str) -> str:
        w = self.fields[name]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QComboBox):
            return str(w.currentData())
        assert isinstance(w, QLineEdit)
        return w.text()

    def date(self, name: str) -> dt.date:
        from accessdesk_gui.domain.intake import parse_date  # (not needed to log in)

        return parse_date(name, self.text(name))


def line(text: str = "", placeholder: str = "", max_length: int = 0) -> QLineEdit:
    w = QLineEdit(text)
    if placeholder:
        w.setPlaceholderText(placeholder)
    if max_length:
        w.setMaxLength(max_length)
    return w


def date_line(value: dt.date | None = None) -> QLineEdit:
    return line(value.isoformat() if value else "", "YYYY-MM-DD", 10)


def combo(options: list[tuple[str, str]], current: str | None = None) -> QComboBox:
    w = QComboBox()
    for value, label in options:
        w.addItem(label, value)
    if current is not None:
        w.setCurrentIndex(max(0, w.findData(current)))
    return w


def area(text: str = "", placeholder: str = "") -> QPlainTextEdit:
    w = QPlainTextEdit(text)
    w.setPlaceholderText(placeholder)
    w.setTabChangesFocus(True)
    w.setFixedHeight(70)
    return w


class FormDialog(QDialog):
    """A dialog around an ErrorForm whose OK runs ``submit``; errors stay in the dialog.

    ``submit`` checks what it can at once (raising InvalidInput for a field) and either
    does nothing slow, and the dialog closes, or hands its service call to ``run_op``: the
    call runs on the worker, OK waits meanwhile, and the dialog closes when it succeeds.
    Either way a user error shows at its field or on the message line.
    """

    def __init__(
        self, title: str, intro: str = "", ok_text: str = "OK", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            lay.addWidget(label)
        self.form = ErrorForm()
        lay.addWidget(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._pending = False

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def run_op(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        progress: str = "",
    ) -> Op[Any]:
        """Run ``fn`` off the UI thread; ``done(result)`` then closes the dialog."""
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self._pending = True

        def succeeded(result: Any) -> None:
            if done is not None:
                done(result)
            self.accept()

        op = Op(self, fn).success(succeeded).finally_(lambda: ok.setEnabled(True))
        if failed is not None:
            op.failure(failed)
        if progress:
            op.with_progress(progress)
        return op.run()

    def _on_ok(self) -> None:
        self.form.clear_errors()
        self._pending = False
        try:
            self.submit()
        except USER_ERRORS as exc:  # a quick check in submit, before any op
            show_user_error(self, exc)
            return
        if not self._pending:
            self.accept()
