"""Settings → State rules: the practice's state rules, their marks, and marking one verified.

A rule marked S (secondary source only) says "verify before relying" until the privacy
officer records checking it against a text (services/state_rules.verify_rule, audited).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.services import practice, state_rules
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.errors import USER_ERRORS
from accessdesk_gui.services.state_rules import RuleStatus
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.forms import ERROR_STYLE

COLUMNS = ("Rule", "Kind", "Citation", "Mark", "Rule says", "Status")


class VerifyRuleDialog(QDialog):
    """Asks what text the rule was checked against; the service records it on accept."""

    def __init__(self, rule: RuleStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Mark {rule.code} verified")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("Rule:", QLabel(f"{rule.code}: {rule.summary}"))
        form.addRow("Citation:", QLabel(rule.source))
        self.against = QPlainTextEdit()
        self.against.setObjectName("verify_against")
        self.against.setAccessibleName("Checked against")
        self.against.setPlaceholderText(
            "The text you checked, e.g. 'La. R.S. 40:1165.1 as published at legis.la.gov, read "
            "2026-12-02'"
        )
        form.addRow("Checked against:", self.against)
        lay.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    @classmethod
    def ask(cls, rule: RuleStatus, parent: QWidget | None = None) -> str | None:
        """The text named, or None if cancelled (tests replace this method)."""
        dialog = cls(rule, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.against.toPlainText()


class StateRulesTab(QWidget):
    def __init__(self, store: Store, actor: Actor) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        self.rules: list[RuleStatus] = []
        lay = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        lay.addWidget(self.heading)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("state_rules")
        self.table.setAccessibleName("State rules")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        lay.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.verify_button = QPushButton("Mark verified…")
        self.verify_button.setObjectName("verify_rule")
        self.verify_button.clicked.connect(self.verify_selected)
        row.addWidget(self.verify_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setObjectName("state_rules_status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        try:
            state = practice.get_practice(self.store).state
            self.rules = state_rules.list_rules(self.store, self.actor, state)
        except USER_ERRORS as exc:
            self._error(str(exc))
            return
        self.heading.setText(
            f"Rules for {state} beside the federal ones (the stricter applies, 45 CFR 160.203)."
            if self.rules
            else f"No state rules are encoded for {state}: the federal rules apply."
        )
        self.table.setRowCount(len(self.rules))
        for i, rule in enumerate(self.rules):
            status = rule.caution() or "Checked by the digest (recheck before a release)."
            cells = (rule.code, rule.kind, rule.source, rule.mark.value, rule.summary, status)
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def selected(self) -> RuleStatus | None:
        row = self.table.currentRow()
        return self.rules[row] if 0 <= row < len(self.rules) else None

    def verify_selected(self) -> bool:
        rule = self.selected()
        if rule is None:
            self._error("Choose a rule first.")
            return False
        against = VerifyRuleDialog.ask(rule, self)
        if against is None:
            return False
        try:
            done = state_rules.verify_rule(self.store, self.actor, rule.code, against)
        except USER_ERRORS as exc:
            self._error(str(exc))
            return False
        self.refresh()
        self.status.setStyleSheet("")
        self.status.setText(f"{done.code}: {done.caution()}")
        return True

    def _error(self, text: str) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(text)
