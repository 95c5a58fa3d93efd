"""The record set map wizard: the practice's designated record set (DRS), written down.

Pages (one tuple, ``PAGES``): responsibilities, systems, record categories with the access
exceptions, mapping with retrieval procedures, and a review that lists the gaps before
finishing. The wizard edits a plain dict in ``drs.to_dict`` form; closing it keeps that dict
as a draft (services.drs.save_draft) and reopening resumes it. Finishing saves a new map
version in one transaction (services.drs.save_map) and writes the policy PDF.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from accessdesk_gui.domain import drs as d
from accessdesk_gui.domain.drs_catalogue import default_categories, legal_proceedings
from accessdesk_gui.domain.drs_catalogue import psychotherapy_notes as psychotherapy_category
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.letters.drs_policy import letterhead_of, render_policy
from accessdesk_gui.services import drs as drs_service
from accessdesk_gui.services import practice
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.operations import Op, user_message
from accessdesk_gui.ui.qtcompat import emit

ERROR_STYLE = "color: #b00020;"
PSY = "exceptions.psychotherapy_notes"
LEGAL = "exceptions.legal_proceedings"
GROUP_LABELS = {
    d.CategoryGroup.MEDICAL: "Medical record",
    d.CategoryGroup.BILLING: "Billing record",
    d.CategoryGroup.DECISIONS: "Used for decisions",
    d.CategoryGroup.INTERNAL: "Internal",
}


def _wrap(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _slug(text: str, taken: set[str], prefix: str = "") -> str:
    base = prefix + (re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")[:40] or "item")
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _date_or_none(text: str) -> dt.date | None:
    text = text.strip()
    return dt.date.fromisoformat(text) if text else None


def _category_dict(c: d.RecordCategory) -> dict[str, Any]:
    one = d.DrsMap("-", 1, dt.date(2000, 1, 1), d.Responsibilities(), categories=(c,))
    category: dict[str, Any] = d.to_dict(one)["categories"][0]
    return category


def starting_state(store: Store, actor: Actor, today: dt.date) -> dict[str, Any]:
    """The draft if there is one, else the newest version, else the default catalogue."""
    draft = drs_service.load_draft(store, actor)
    if draft is not None:
        return draft
    latest = drs_service.latest_map(store, actor)
    if latest is not None:
        state = d.to_dict(latest.map)
        state["effective"] = max(today, latest.map.effective + dt.timedelta(days=1)).isoformat()
        return state
    name = practice.get_practice(store).name
    blank = d.DrsMap(name, 1, today, d.Responsibilities(), categories=default_categories())
    return d.to_dict(blank)


class _Page(QWizardPage):
    """A page that reads from and writes to the wizard's state dict."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)

    @property
    def state(self) -> dict[str, Any]:
        wizard = self.wizard()
        assert isinstance(wizard, DrsWizard)
        return wizard.state

    def load(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def initializePage(self) -> None:
        self.load()

    def cleanupPage(self) -> None:  # going Back keeps what was typed
        self.save()

    def validatePage(self) -> bool:
        self.save()
        return True


# ---------------------------------------------------------------------------------------------


class ResponsibilitiesPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Who is responsible",
            "The titles of the persons or offices that receive and process access requests "
            "(45 CFR 164.524(e)(2)), who takes complaints (164.530(a)(1)(ii)) and who takes "
            "amendment requests (164.526(f)). Denial letters name the complaint contact.",
        )
        form = QFormLayout(self)
        self.practice = QLineEdit()
        self.titles = QPlainTextEdit()
        self.titles.setPlaceholderText("One title per line, e.g. Medical records clerk")
        self.titles.setFixedHeight(70)
        self.complaint_name = QLineEdit()
        self.complaint_phone = QLineEdit()
        self.amendment_name = QLineEdit()
        self.amendment_phone = QLineEdit()
        for w, name in (
            (self.practice, "practice"),
            (self.titles, "access_titles"),
            (self.complaint_name, "complaint_name"),
            (self.complaint_phone, "complaint_phone"),
            (self.amendment_name, "amendment_name"),
            (self.amendment_phone, "amendment_phone"),
        ):
            w.setObjectName(name)
        form.addRow("Practice:", self.practice)
        form.addRow("Receive and process access requests:", self.titles)
        form.addRow("Complaints go to (name or title):", self.complaint_name)
        form.addRow("Complaints phone:", self.complaint_phone)
        form.addRow("Amendment requests go to:", self.amendment_name)
        form.addRow("Amendment requests phone:", self.amendment_phone)

    def load(self) -> None:
        r = self.state["responsibilities"]
        self.practice.setText(self.state["practice"])
        self.titles.setPlainText("\n".join(r["access_titles"]))
        self.complaint_name.setText(r["complaint_contact"]["name_or_title"])
        self.complaint_phone.setText(r["complaint_contact"]["phone"])
        self.amendment_name.setText(r["amendment_contact"]["name_or_title"])
        self.amendment_phone.setText(r["amendment_contact"]["phone"])

    def save(self) -> None:
        self.state["practice"] = self.practice.text().strip()
        self.state["responsibilities"] = {
            "access_titles": [
                t.strip() for t in self.titles.toPlainText().splitlines() if t.strip()
            ],
            "complaint_contact": {
                "name_or_title": self.complaint_name.text().strip(),
                "phone": self.complaint_phone.text().strip(),
            },
            "amendment_contact": {
                "name_or_title": self.amendment_name.text().strip(),
                "phone": self.amendment_phone.text().strip(),
            },
        }


# ---------------------------------------------------------------------------------------------


class SystemsPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Systems that hold patient information",
            "List every place records are kept. Records a business associate keeps for the "
            "practice are in the designated record set like the practice's own: say how to "
            "get them and how long it takes.",
        )
        self.systems: list[dict[str, Any]] = []
        self._loading = False
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("systems")
        left.addWidget(self.list, 1)
        add_row = QHBoxLayout()
        self.add_kind = QComboBox()
        for kind, label in d.SYSTEM_KIND_LABELS.items():
            self.add_kind.addItem(label, kind.value)
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        add_row.addWidget(self.add_kind, 1)
        add_row.addWidget(self.add_button)
        left.addLayout(add_row)
        left.addWidget(self.remove_button)
        outer.addLayout(left, 2)

        self.editor = QWidget()
        form = QFormLayout(self.editor)
        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind, label in d.SYSTEM_KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.by_ba = QCheckBox("Kept by a business associate for the practice")
        self.ba_name = QLineEdit()
        self.ba_contact = QLineEdit()
        self.ba_how = QPlainTextEdit()
        self.ba_how.setFixedHeight(60)
        self.ba_how.setTabChangesFocus(True)
        self.ba_days = QLineEdit()
        self.ba_days.setPlaceholderText("calendar days, e.g. 5")
        self.exchange = QCheckBox("Linked to a health information exchange")
        self.holds_from = QLineEdit()
        self.holds_from.setPlaceholderText("YYYY-MM-DD (optional)")
        self.holds_until = QLineEdit()
        self.holds_until.setPlaceholderText("YYYY-MM-DD (optional)")
        self.notes = QLineEdit()
        self.error = _wrap("")
        self.error.setStyleSheet(ERROR_STYLE)
        form.addRow("Name:", self.name)
        form.addRow("Kind:", self.kind)
        form.addRow(self.by_ba)
        form.addRow("Business associate:", self.ba_name)
        form.addRow("Its contact:", self.ba_contact)
        form.addRow("How to get records:", self.ba_how)
        form.addRow("Turnaround (days):", self.ba_days)
        form.addRow(self.exchange)
        form.addRow(
            _wrap(
                "<small>Being linked to an exchange does not take records out of the "
                "designated record set (OCR FAQ 550).</small>"
            )
        )
        form.addRow("Holds records from:", self.holds_from)
        form.addRow("Holds records until:", self.holds_until)
        form.addRow("Notes:", self.notes)
        form.addRow(self.error)
        outer.addWidget(self.editor, 3)

        self.add_button.clicked.connect(lambda: self.add_system(self.add_kind.currentData()))
        self.remove_button.clicked.connect(self.remove_system)
        self.list.currentRowChanged.connect(self._show)
        for w in (self.name, self.ba_name, self.ba_contact, self.ba_days, self.notes):
            w.textChanged.connect(self._commit)
        for w in (self.holds_from, self.holds_until):
            w.textChanged.connect(self._commit)
        self.ba_how.textChanged.connect(self._commit)
        self.kind.currentIndexChanged.connect(self._commit)
        self.by_ba.toggled.connect(self._commit)
        self.exchange.toggled.connect(self._commit)

    def load(self) -> None:
        self.systems = copy.deepcopy(self.state["systems"])
        self.list.clear()
        for s in self.systems:
            self.list.addItem(s["name"])
        self.list.setCurrentRow(0 if self.systems else -1)
        self._show(self.list.currentRow())

    def save(self) -> None:
        self.state["systems"] = copy.deepcopy(self.systems)

    def add_system(self, kind: str) -> dict[str, Any]:
        label = d.SYSTEM_KIND_LABELS[d.SystemKind(kind)]
        system = {
            "id": _slug(kind, {s["id"] for s in self.systems}),
            "name": label,
            "kind": kind,
            "business_associate": None,
            "exchange_linked": False,
            "holds_from": None,
            "holds_until": None,
            "notes": "",
        }
        self.systems.append(system)
        self.list.addItem(label)
        self.list.setCurrentRow(len(self.systems) - 1)
        self.name.setFocus()
        self.name.selectAll()
        return system

    def remove_system(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        del self.systems[row]
        self.list.takeItem(row)
        self._show(self.list.currentRow())

    def _show(self, row: int) -> None:
        self._loading = True
        try:
            self.editor.setEnabled(0 <= row < len(self.systems))
            s = self.systems[row] if 0 <= row < len(self.systems) else None
            ba = (s or {}).get("business_associate") or {}
            self.name.setText(s["name"] if s else "")
            self.kind.setCurrentIndex(max(0, self.kind.findData(s["kind"] if s else "other")))
            self.by_ba.setChecked(bool(s and s["business_associate"]))
            self.ba_name.setText(ba.get("name", ""))
            self.ba_contact.setText(ba.get("contact", ""))
            self.ba_how.setPlainText(ba.get("how_to_get_records", ""))
            days = ba.get("turnaround_days")
            self.ba_days.setText("" if days is None else str(days))
            self.exchange.setChecked(bool(s and s["exchange_linked"]))
            self.holds_from.setText((s or {}).get("holds_from") or "")
            self.holds_until.setText((s or {}).get("holds_until") or "")
            self.notes.setText((s or {}).get("notes", ""))
            self.error.clear()
            self._enable_ba()
        finally:
            self._loading = False

    def _enable_ba(self) -> None:
        for w in (self.ba_name, self.ba_contact, self.ba_how, self.ba_days):
            w.setEnabled(self.by_ba.isChecked())

    def _commit(self) -> None:
        self._enable_ba()
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self.systems):
            return
        s = self.systems[row]
        errors = []
        s["name"] = self.name.text().strip()
        s["kind"] = self.kind.currentData()
        s["exchange_linked"] = self.exchange.isChecked()
        s["notes"] = self.notes.text().strip()
        for key, w in (("holds_from", self.holds_from), ("holds_until", self.holds_until)):
            try:
                value = _date_or_none(w.text())
                s[key] = None if value is None else value.isoformat()
            except ValueError:
                errors.append(f"“{w.text()}” is not a date (YYYY-MM-DD).")
        if self.by_ba.isChecked():
            days_text = self.ba_days.text().strip()
            days = int(days_text) if days_text.isdigit() else None
            if days_text and days is None:
                errors.append("Turnaround is a whole number of days.")
            s["business_associate"] = {
                "name": self.ba_name.text().strip(),
                "contact": self.ba_contact.text().strip(),
                "how_to_get_records": self.ba_how.toPlainText().strip(),
                "turnaround_days": days,
            }
        else:
            s["business_associate"] = None
        item = self.list.item(row)
        if item is not None:
            item.setText(s["name"] or "(no name)")
        self.error.setText(" ".join(errors))


# ---------------------------------------------------------------------------------------------


class CategoriesPage(_Page):
    COLUMNS = ("Record category (ticked: in the DRS)", "Kind", "Why in or out")

    def __init__(self) -> None:
        super().__init__(
            "Record categories: in or out",
            "Medical and billing records, and other records used to make decisions about "
            "individuals, are in the designated record set (45 CFR 164.501). Leave a category "
            "out only with a written reason tied to that definition.",
        )
        self.categories: list[dict[str, Any]] = []
        self._loading = False
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("categories")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        add_row = QHBoxLayout()
        self.new_title = QLineEdit()
        self.new_title.setPlaceholderText("Another kind of record the practice keeps")
        self.new_group = QComboBox()
        for g in d.CategoryGroup:
            self.new_group.addItem(GROUP_LABELS[g], g.value)
        self.add_button = QPushButton("Add category")
        add_row.addWidget(self.new_title, 1)
        add_row.addWidget(self.new_group)
        add_row.addWidget(self.add_button)
        lay.addLayout(add_row)

        box = QGroupBox("Access exceptions: in the DRS, but may be withheld (164.524(a)(1))")
        blay = QVBoxLayout(box)
        self.psy = QCheckBox(
            "The practice keeps psychotherapy notes (a mental health professional's notes "
            "analysing counselling sessions)"
        )
        self.psy.setObjectName("psychotherapy_notes")
        self.psy_separate = QCheckBox("… kept separate from the rest of the medical record")
        self.psy_separate.setObjectName("psychotherapy_separate")
        self.psy_warning = _wrap(
            "Notes kept in the chart are not psychotherapy notes (45 CFR 164.501): they "
            "cannot be excepted and must be given on request. Keep them separately, or "
            "treat them as clinical notes."
        )
        self.psy_warning.setObjectName("psychotherapy_warning")
        self.psy_warning.setStyleSheet(ERROR_STYLE)
        self.legal = QCheckBox(
            "The practice compiles information in anticipation of, or for use in, legal proceedings"
        )
        self.legal.setObjectName("legal_proceedings")
        for w in (self.psy, self.psy_separate, self.psy_warning, self.legal):
            blay.addWidget(w)
        lay.addWidget(box)

        self.add_button.clicked.connect(self._add)
        self.psy.toggled.connect(self._exceptions_changed)
        self.psy_separate.toggled.connect(self._exceptions_changed)
        self.table.itemChanged.connect(self._item_changed)

    def load(self) -> None:
        self.categories = [
            c for c in copy.deepcopy(self.state["categories"]) if c["exception"] == "none"
        ]
        by_code = {c["code"]: c for c in self.state["categories"]}
        self._loading = True
        self.psy.setChecked(PSY in by_code)
        self.psy_separate.setChecked(bool(by_code.get(PSY, {}).get("kept_separate")))
        self.legal.setChecked(LEGAL in by_code)
        self._loading = False
        self._fill()
        self._exceptions_changed()

    def _fill(self) -> None:
        self._loading = True
        self.table.setRowCount(len(self.categories))
        for row, c in enumerate(self.categories):
            group = d.CategoryGroup(c["group"])
            title = QTableWidgetItem(c["title"])
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if group is d.CategoryGroup.MEDICAL or group is d.CategoryGroup.BILLING:
                title.setToolTip("Medical and billing records are always in (164.501).")
            else:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            title.setFlags(flags)
            title.setCheckState(Qt.CheckState.Checked if c["in_drs"] else Qt.CheckState.Unchecked)
            kind = QTableWidgetItem(GROUP_LABELS[group])
            kind.setFlags(Qt.ItemFlag.ItemIsEnabled)
            why = QTableWidgetItem(c["rationale"])
            why.setToolTip(c["rationale"])
            self.table.setItem(row, 0, title)
            self.table.setItem(row, 1, kind)
            self.table.setItem(row, 2, why)
        self._loading = False

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        c = self.categories[item.row()]
        if item.column() == 0:
            c["in_drs"] = item.checkState() == Qt.CheckState.Checked
        elif item.column() == 2:
            c["rationale"] = item.text().strip()

    def set_in_drs(self, code: str, in_drs: bool, rationale: str | None = None) -> None:
        """As a user would: tick or untick the row, and type the reason."""
        row = next(i for i, c in enumerate(self.categories) if c["code"] == code)
        self.table.item(row, 0).setCheckState(
            Qt.CheckState.Checked if in_drs else Qt.CheckState.Unchecked
        )
        if rationale is not None:
            self.table.item(row, 2).setText(rationale)

    def _add(self) -> None:
        title = self.new_title.text().strip()
        if not title:
            return
        group = d.CategoryGroup(self.new_group.currentData())
        code = _slug(title, {c["code"] for c in self.categories}, prefix="custom.")
        self.categories.append(
            {
                "code": code,
                "title": title,
                "group": group.value,
                "in_drs": group is not d.CategoryGroup.INTERNAL,
                "rationale": "",
                "exception": "none",
                "kept_separate": False,
                "examples": "",
            }
        )
        self.new_title.clear()
        self._fill()

    def _exceptions_changed(self) -> None:
        self.psy_separate.setEnabled(self.psy.isChecked())
        self.psy_warning.setVisible(self.psy.isChecked() and not self.psy_separate.isChecked())

    def save(self) -> None:
        cats = copy.deepcopy(self.categories)
        if self.psy.isChecked():
            cats.append(_category_dict(psychotherapy_category(self.psy_separate.isChecked())))
        if self.legal.isChecked():
            cats.append(_category_dict(legal_proceedings()))
        self.state["categories"] = cats
        codes = {c["code"] for c in cats}
        self.state["holdings"] = [h for h in self.state["holdings"] if h["category"] in codes]


# ---------------------------------------------------------------------------------------------


class MappingPage(_Page):
    LOWER = ("Category", "System", "Who pulls it", "How", "Same information as")

    def __init__(self) -> None:
        super().__init__(
            "Where each category is kept, and how to get it",
            "Tick each system a category is kept in, then say who retrieves it and how. Mark "
            "a copy that is the same information as another system's: it is produced once "
            "(164.524(c)(1)) but still checked for anything missing.",
        )
        self.holdings: list[dict[str, Any]] = []
        self.cats: list[dict[str, Any]] = []
        self.systems: list[dict[str, Any]] = []
        self._loading = False
        lay = QVBoxLayout(self)
        self.matrix = QTableWidget()
        self.matrix.setObjectName("matrix")
        lay.addWidget(self.matrix, 3)
        lay.addWidget(QLabel("Retrieval procedures"))
        self.table = QTableWidget(0, len(self.LOWER))
        self.table.setObjectName("retrieval")
        self.table.setHorizontalHeaderLabels(self.LOWER)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 3)
        self.copy_button = QPushButton("Use this row's who/how for the system's empty rows")
        lay.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.matrix.itemChanged.connect(self._matrix_changed)
        self.table.itemChanged.connect(self._lower_changed)
        self.copy_button.clicked.connect(self.copy_down)

    def load(self) -> None:
        self.cats = [c for c in self.state["categories"] if c["in_drs"]]
        self.systems = list(self.state["systems"])
        ids = {s["id"] for s in self.systems}
        codes = {c["code"] for c in self.cats}
        self.holdings = [
            copy.deepcopy(h)
            for h in self.state["holdings"]
            if h["system"] in ids and h["category"] in codes
        ]
        for h in self.holdings:
            if h["duplicate_of"] not in ids:
                h["duplicate_of"] = None
        self._loading = True
        self.matrix.clear()
        self.matrix.setRowCount(len(self.cats))
        self.matrix.setColumnCount(len(self.systems))
        self.matrix.setHorizontalHeaderLabels([s["name"] for s in self.systems])
        self.matrix.setVerticalHeaderLabels([c["title"] for c in self.cats])
        held = {(h["category"], h["system"]) for h in self.holdings}
        for r, c in enumerate(self.cats):
            for col, s in enumerate(self.systems):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked
                    if (c["code"], s["id"]) in held
                    else Qt.CheckState.Unchecked
                )
                self.matrix.setItem(r, col, item)
        self.matrix.resizeColumnsToContents()
        self._loading = False
        self._fill_lower()

    def save(self) -> None:
        self.state["holdings"] = copy.deepcopy(self.holdings)

    def hold(self, code: str, system_id: str, who: str = "", how: str = "") -> None:
        """As a user would: tick the cell, then type who and how in the row below."""
        r = next(i for i, c in enumerate(self.cats) if c["code"] == code)
        col = next(i for i, s in enumerate(self.systems) if s["id"] == system_id)
        self.matrix.item(r, col).setCheckState(Qt.CheckState.Checked)
        row = next(
            i
            for i, h in enumerate(self.holdings)
            if h["category"] == code and h["system"] == system_id
        )
        if who:
            self.table.item(row, 2).setText(who)
        if how:
            self.table.item(row, 3).setText(how)

    def _matrix_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        code = self.cats[item.row()]["code"]
        sid = self.systems[item.column()]["id"]
        existing = [h for h in self.holdings if h["category"] == code and h["system"] == sid]
        if item.checkState() == Qt.CheckState.Checked and not existing:
            self.holdings.append(
                {"category": code, "system": sid, "who": "", "how": "", "duplicate_of": None}
            )
        elif item.checkState() != Qt.CheckState.Checked and existing:
            self.holdings.remove(existing[0])
            for h in self.holdings:
                if h["category"] == code and h["duplicate_of"] == sid:
                    h["duplicate_of"] = None
        order = {c["code"]: i for i, c in enumerate(self.cats)}
        self.holdings.sort(key=lambda h: order[h["category"]])
        self._fill_lower()

    def _fill_lower(self) -> None:
        self._loading = True
        names = {s["id"]: s["name"] for s in self.systems}
        titles = {c["code"]: c["title"] for c in self.cats}
        self.table.setRowCount(len(self.holdings))
        for r, h in enumerate(self.holdings):
            for col, text in enumerate(
                (titles[h["category"]], names[h["system"]], h["who"], h["how"])
            ):
                item = QTableWidgetItem(text)
                if col < 2:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(r, col, item)
            same = QComboBox()
            same.addItem("— (the source)", None)
            for other in self.holdings:
                if other["category"] == h["category"] and other["system"] != h["system"]:
                    same.addItem(names[other["system"]], other["system"])
            same.setCurrentIndex(max(0, same.findData(h["duplicate_of"])))
            same.currentIndexChanged.connect(
                lambda _i, row=r, box=same: self._same_changed(row, box)
            )
            self.table.setCellWidget(r, 4, same)
        self.table.resizeColumnsToContents()
        self._loading = False

    def _same_changed(self, row: int, box: QComboBox) -> None:
        self.holdings[row]["duplicate_of"] = box.currentData()

    def _lower_changed(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() not in (2, 3):
            return
        key = "who" if item.column() == 2 else "how"
        self.holdings[item.row()][key] = item.text().strip()

    def copy_down(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.holdings):
            return
        src = self.holdings[row]
        for h in self.holdings:
            if h["system"] == src["system"] and not h["who"] and not h["how"]:
                h["who"], h["how"] = src["who"], src["how"]
        self._fill_lower()


# ---------------------------------------------------------------------------------------------


_PAGE_OF_REF = {
    "responsibilities": "Who is responsible",
    "system": "Systems",
    "category": "Record categories",
    "group": "Record categories / Mapping",
    "holding": "Mapping",
}


class ReviewPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Review before saving",
            "Each gap below would leave records out of a response or leave staff without a "
            "way to collect them. Go Back to fix them, or save with them listed in the policy.",
        )
        self.map: d.DrsMap | None = None
        self.gaps: list[d.Gap] = []
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.effective = QLineEdit()
        self.effective.setObjectName("effective")
        self.effective.setPlaceholderText("YYYY-MM-DD")
        form.addRow("In effect from:", self.effective)
        path_row = QHBoxLayout()
        self.policy_path = QLineEdit()
        self.policy_path.setObjectName("policy_path")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.policy_path, 1)
        path_row.addWidget(browse)
        form.addRow("Write the policy PDF to:", path_row)
        lay.addLayout(form)
        self.summary = _wrap("")
        self.summary.setObjectName("summary")
        lay.addWidget(self.summary)
        self.problem = _wrap("")
        self.problem.setObjectName("problem")
        self.problem.setStyleSheet(ERROR_STYLE)
        lay.addWidget(self.problem)
        self.gap_list = QListWidget()
        self.gap_list.setObjectName("gaps")
        self.gap_list.setWordWrap(True)
        lay.addWidget(self.gap_list, 1)
        self.accept_gaps = QCheckBox("Save with these gaps open (they are listed in the policy)")
        self.accept_gaps.setObjectName("accept_gaps")
        lay.addWidget(self.accept_gaps)
        self.accept_gaps.toggled.connect(lambda _b: emit(self.completeChanged))
        self.effective.textChanged.connect(lambda _t: self._check())

    def load(self) -> None:
        self.effective.setText(self.state["effective"])
        if not self.policy_path.text():
            wizard = self.wizard()
            assert isinstance(wizard, DrsWizard)
            self.policy_path.setText(str(wizard.default_policy_path()))
        self._check()

    def save(self) -> None:
        text = self.effective.text().strip()
        with contextlib.suppress(ValueError):
            self.state["effective"] = dt.date.fromisoformat(text).isoformat()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Policy PDF", self.policy_path.text(), "PDF (*.pdf)"
        )
        if path:
            self.policy_path.setText(path)

    def _check(self) -> None:
        self.save()
        self.problem.clear()
        self.gap_list.clear()
        self.map, self.gaps = None, []
        try:
            dt.date.fromisoformat(self.effective.text().strip())
            data = dict(self.state)
            data["version"] = 1
            self.map = d.from_dict(data)
        except ValueError:
            self.problem.setText("Give the date this version takes effect (YYYY-MM-DD).")
        except InvalidInput as exc:
            self.problem.setText(f"Cannot save yet: {exc.field} {exc.message}")
        if self.map is not None:
            self.gaps = d.review(self.map)
            m = self.map
            inside = sum(1 for c in m.categories if c.in_drs)
            self.summary.setText(
                f"{len(m.systems)} systems; {inside} categories in the record set, "
                f"{len(m.categories) - inside} outside it; {len(m.holdings)} retrieval "
                f"procedures. {len(self.gaps) or 'No'} gap{'s' if len(self.gaps) != 1 else ''}."
            )
            for g in self.gaps:
                where = _PAGE_OF_REF.get(g.refers_to.split(":", 1)[0], "")
                item = QListWidgetItem(f"{g.message}  [{where}]")
                item.setData(Qt.ItemDataRole.UserRole, g.code.value)
                self.gap_list.addItem(item)
        if self.map is not None and not self.gaps:
            self.gap_list.addItem(
                "No gaps: every category in the record set is mapped to a system with a "
                "retrieval procedure, and the responsibilities are named."
            )
        self.accept_gaps.setVisible(bool(self.gaps))
        emit(self.completeChanged)

    def gap_codes(self) -> list[d.GapCode]:
        return [g.code for g in self.gaps]

    def isComplete(self) -> bool:
        return self.map is not None and (not self.gaps or self.accept_gaps.isChecked())


PAGES: tuple[type[_Page], ...] = (
    ResponsibilitiesPage,
    SystemsPage,
    CategoriesPage,
    MappingPage,
    ReviewPage,
)


class DrsWizard(QWizard):
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.actor = actor
        self.today = today or dt.date.today()
        self.saved: drs_service.StoredVersion | None = None
        self.policy_written: Path | None = None
        self.policy_error = ""
        self.state = starting_state(store, actor, self.today)
        self.setWindowTitle("Record set map")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(1000, 700)
        self.pages: list[_Page] = []
        for cls in PAGES:
            page = cls()
            self.pages.append(page)
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Save version")
        self.currentIdChanged.connect(lambda _id: self.save_draft())

    def page_of(self, cls: type[_Page]) -> Any:
        return next(p for p in self.pages if isinstance(p, cls))

    def default_policy_path(self) -> Path:
        docs = Path.home() / "Documents"
        folder = docs if docs.is_dir() else Path.home()
        return folder / f"DRS-policy-{self.today.isoformat()}.pdf"

    def save_draft(self) -> None:
        # A draft is a convenience; if it cannot be written the wizard keeps working.
        store, actor, state = self.store, self.actor, self.state
        Op(self, lambda: drs_service.save_draft(store, actor, state)).failure(
            lambda _exc: None
        ).run()

    def reject(self) -> None:
        """Closing keeps what was entered: the current page's fields, then the draft."""
        page = self.currentPage()
        if isinstance(page, _Page):
            page.save()
        self.save_draft()
        super().reject()

    def accept(self) -> None:
        review = self.page_of(ReviewPage)
        review.save()
        review._check()
        if review.map is None:
            return
        store, actor, today, m = self.store, self.actor, self.today, review.map
        accept_gaps, gaps = review.accept_gaps.isChecked(), review.gaps
        path_text = review.policy_path.text().strip()

        def save() -> tuple[drs_service.StoredVersion, Path | None, str]:
            saved = drs_service.save_map(
                store, actor, m, m.effective, accept_gaps=accept_gaps, today=today
            )
            # Saved: from here on the wizard closes whatever happens to the PDF, so a
            # second click cannot save the same map twice.
            if not path_text:
                return saved, None, ""
            try:
                info = practice.get_practice(store)
                pdf = render_policy(
                    saved.map,
                    letterhead_of(info.name, info.address, info.phone),
                    gaps,
                    saved.saved_by,
                    today,
                )
                Path(path_text).write_bytes(pdf)
            except OSError as exc:
                return (
                    saved,
                    None,
                    (
                        f"Version {saved.version} is saved, but the policy could not be "
                        f"written to {path_text}: {exc.strerror}. Use 'accessdesk drs policy'."
                    ),
                )
            return saved, Path(path_text), ""

        def saved(result: tuple[drs_service.StoredVersion, Path | None, str]) -> None:
            self.saved, self.policy_written, error = result
            self.policy_error = error or self.policy_error
            finish()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, InvalidInput):
                review.problem.setText(f"{exc.field}: {exc.message}")
            else:
                review.problem.setText(user_message(exc))

        finish = super().accept
        button = self.button(QWizard.WizardButton.FinishButton)
        button.setEnabled(False)  # the map and its policy are saved and rendered on the worker
        Op(self, save).success(saved).failure(refused).finally_(
            lambda: button.setEnabled(True)
        ).run()
