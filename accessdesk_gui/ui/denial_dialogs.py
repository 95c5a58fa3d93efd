"""Denials and reviews on screen: the composer, sign-off, issue, review dialogs, the
physician's queue, and the panel of a request's denials. Thin: every rule is checked in
services/denials.py and services/review.py; these widgets show what they say.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.denials import GROUNDS, FactKind, FactValue, GroundCode
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.lifecycle import Status
from accessdesk_gui.services import denials, review
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.denials import DenialStatus, DenialView, DraftInput, PartInput
from accessdesk_gui.services.requests import RequestDetail
from accessdesk_gui.services.review import QueueKind, ReviewStatus
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.dialogs import FormDialog
from accessdesk_gui.ui.forms import ERROR_STYLE, area, combo, date_line, line
from accessdesk_gui.ui.operations import Op, show_user_error, user_message
from accessdesk_gui.ui.qtcompat import emit
from accessdesk_gui.ui.window_size import fit_to_screen

_OPEN = (Status.RECEIVED, Status.IN_PROGRESS, Status.EXTENDED)
RELEASED = ""


def _password_line() -> QLineEdit:
    w = line()
    w.setEchoMode(QLineEdit.EchoMode.Password)
    return w


def _wrap(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


# ---------------------------------------------------------------------------------------
# Letter preview (QtPdf)
# ---------------------------------------------------------------------------------------


class LetterPreviewDialog(QDialog):
    """Shows a PDF letter page by page; the bytes stay in memory (no temp files)."""

    def __init__(self, pdf: bytes, title: str = "Letter preview", parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtPdf import QPdfDocument
        from PySide6.QtPdfWidgets import QPdfView

        self.setWindowTitle(title)
        fit_to_screen(self, 760, 860)
        self.pdf = pdf
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        view = QPdfView(self)
        view.setDocument(self.document)
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        lay = QVBoxLayout(self)
        lay.addWidget(view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = buttons.addButton("Save PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save letter", "letter.pdf", "PDF (*.pdf)")
        if path:
            with open(path, "wb") as f:
                f.write(self.pdf)

    @classmethod
    def show_pdf(cls, pdf: bytes, title: str, parent: QWidget | None) -> None:
        cls(pdf, title, parent).exec()


# ---------------------------------------------------------------------------------------
# The composer
# ---------------------------------------------------------------------------------------


class _PartRow:
    def __init__(self, key: str, description: str = "") -> None:
        self.key = key
        self.description = description
        self.ground = RELEASED
        self.withholds = AccessKind.BOTH
        self.facts: dict[str, FactValue] = {}


class DenialComposerDialog(FormDialog):
    """Name the parts of what was asked; deny some on a ground from the catalogue."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        request: RequestDetail,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Deny access — request {request.id}",
            "List the parts of what was asked. Deny only the parts a lawful ground covers; "
            "everything else is provided on time (45 CFR 164.524(d)(1)). Only the grounds of "
            "164.524(a) are offered.",
            "Save draft",
            parent,
        )
        self.setMinimumSize(1180, 700)
        self.store, self.actor, self.request, self.today = store, actor, request, today
        self.denial_id: int | None = None
        self.rows: list[_PartRow] = [_PartRow("p1", request.scope)]

        # Parts table and its buttons.
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("parts")
        self.table.setHorizontalHeaderLabels(["Part of the request", "Decision"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 330)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(130)
        self.table.itemChanged.connect(self._description_changed)
        self.table.currentCellChanged.connect(lambda r, *_: self._select(r))
        add = QPushButton("Add part")
        add.setObjectName("add_part")
        add.clicked.connect(self.add_part)
        remove = QPushButton("Remove part")
        remove.clicked.connect(self.remove_part)
        box = QWidget()
        blay = QVBoxLayout(box)
        blay.setContentsMargins(0, 0, 0, 0)
        blay.addWidget(self.table)
        brow = QHBoxLayout()
        brow.addWidget(add)
        brow.addWidget(remove)
        brow.addStretch(1)
        blay.addLayout(brow)
        parts_label = QLabel("<b>Parts of what was asked</b> (double-click to edit)")

        # The selected part's ground and facts.
        self.part_box = QGroupBox("Selected part")
        plo = QVBoxLayout(self.part_box)
        self.ground = combo(
            [(RELEASED, "Released (provided)")]
            + [
                (g.code.value, f"{g.title}{' — reviewable' if g.reviewable else ''}")
                for g in GROUNDS.values()
            ]
        )
        self.ground.setObjectName("ground")
        self.ground.setAccessibleName("Ground for the selected part")
        self.ground.currentIndexChanged.connect(self._ground_changed)
        plo.addWidget(self.ground)
        self.scope = _wrap("")
        self.scope.setObjectName("ground_scope")
        plo.addWidget(self.scope)
        self.withholds = combo(
            [("both", "Withhold inspection and copy"), ("copy", "Withhold the copy only")]
        )
        self.withholds.setObjectName("withholds")
        self.withholds.currentIndexChanged.connect(self._withholds_changed)
        plo.addWidget(self.withholds)
        self.facts_form = QFormLayout()
        plo.addLayout(self.facts_form)
        self.fact_widgets: dict[str, QWidget] = {}
        # Two columns: the parts and the selected part's ground on the left, the rest on the
        # right, so the whole composer fits a laptop screen.
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeWidget(self.form)
        left = QVBoxLayout()
        left.addWidget(parts_label)
        left.addWidget(box)
        left.addWidget(self.part_box, 1)
        cols = QHBoxLayout()
        cols.addLayout(left, 11)
        cols.addWidget(self.form, 9)
        outer.insertLayout(1, cols)

        # Whole-denial fields.
        self.form.add(
            "notes_separate",
            "Psychotherapy notes kept apart from the chart?",
            combo(
                [("", "Not recorded"), ("yes", "Yes, kept separately"), ("no", "No, in the chart")]
            ),
            "Notes kept in the chart are not psychotherapy notes and must be provided "
            "(access-rules 10.3).",
        )
        determiners = [
            (str(o.id), f"{o.full_name} ({o.licence})")
            for o in denials.determiner_options(store, actor)
            if o.problem is None
        ]
        self.form.add(
            "determiner",
            "Licensed professional who determines:",
            combo([("", "Choose (needed for a reviewable ground)…"), *determiners]),
        )
        self.participants = QListWidget()
        self.participants.setObjectName("participants")
        self.participants.setMaximumHeight(70)
        for o in denials.determiner_options(store, actor):
            item = QListWidgetItem(o.full_name)
            item.setData(Qt.ItemDataRole.UserRole, o.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.participants.addItem(item)
        self.form.add(
            "participants_list",
            "Others who took part:",
            self.participants,
            "They will never be asked to review this denial (45 CFR 164.524(a)(4)).",
        )
        self.reason = area(placeholder="Why the ground applies (kept on file, shown to a reviewer)")
        self.form.add("rationale", "Rationale:", self.reason)
        self.reason_check = QLabel()
        self.reason_check.setObjectName("reason_check")
        self.reason_check.setWordWrap(True)
        self.reason_check.setStyleSheet(ERROR_STYLE)
        self.reason_check.hide()
        self.form.form.addRow("", self.reason_check)
        self.reason.textChanged.connect(self._check_reason)
        self.form.add("letter_detail", "Detail for the letter (optional):", area())
        self.form.add(
            "other_holder",
            "Held elsewhere (optional):",
            line(),
            "If the practice does not hold something but knows who does, say who and where "
            "(45 CFR 164.524(d)(3)).",
        )
        self.form.add("letter_address", "Send the letter to:", area(request.mail_address))

        preview = self.buttons.addButton("Preview letter…", QDialogButtonBox.ButtonRole.ActionRole)
        preview.setObjectName("preview")
        preview.clicked.connect(self.preview)
        self._reload_table()
        self.table.setCurrentCell(0, 0)

    # -- parts -----------------------------------------------------------------------

    def _reload_table(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            self.table.setItem(n, 0, QTableWidgetItem(row.description))
            decision = GROUNDS[GroundCode(row.ground)].title if row.ground else "Released"
            item = QTableWidgetItem(decision)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(n, 1, item)
        self.table.blockSignals(False)

    def add_part(self, description: str = "") -> int:
        keys = {r.key for r in self.rows}
        n = len(self.rows) + 1
        while f"p{n}" in keys:
            n += 1
        self.rows.append(_PartRow(f"p{n}", description if isinstance(description, str) else ""))
        self._reload_table()
        self.table.setCurrentCell(len(self.rows) - 1, 0)
        return len(self.rows) - 1

    def remove_part(self) -> None:
        r = self.table.currentRow()
        if 0 <= r < len(self.rows) and len(self.rows) > 1:
            del self.rows[r]
            self._reload_table()
            self.table.setCurrentCell(max(0, r - 1), 0)

    def _description_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and item.row() < len(self.rows):
            self.rows[item.row()].description = item.text()

    def _current(self) -> _PartRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def _select(self, r: int) -> None:
        row = self.rows[r] if 0 <= r < len(self.rows) else None
        self.part_box.setEnabled(row is not None)
        if row is None:
            return
        self.part_box.setTitle(f"Selected part {row.key}: {row.description[:60]}")
        self.ground.blockSignals(True)
        self.ground.setCurrentIndex(max(0, self.ground.findData(row.ground)))
        self.ground.blockSignals(False)
        self.withholds.blockSignals(True)
        self.withholds.setCurrentIndex(max(0, self.withholds.findData(row.withholds.value)))
        self.withholds.blockSignals(False)
        self._show_facts(row)

    def set_part(self, index: int, description: str, ground: str = RELEASED) -> None:
        """Fill a part (for tests and scripted use): its description and ground."""
        self.rows[index].description = description
        self._reload_table()
        self.table.setCurrentCell(index, 0)
        self.ground.setCurrentIndex(self.ground.findData(ground))

    def _ground_changed(self) -> None:
        row = self._current()
        if row is None:
            return
        row.ground = str(self.ground.currentData())
        row.facts = {}
        row.withholds = AccessKind.COPY if row.ground == GroundCode.INMATE_COPY else AccessKind.BOTH
        self._reload_table()
        self._show_facts(row)

    def _withholds_changed(self) -> None:
        row = self._current()
        if row is not None:
            row.withholds = AccessKind(str(self.withholds.currentData()))

    def _show_facts(self, row: _PartRow) -> None:
        while self.facts_form.rowCount():
            self.facts_form.removeRow(0)
        self.fact_widgets = {}
        if not row.ground:
            self.scope.setText("Released: this part is provided.")
            self.withholds.hide()
            return
        g = GROUNDS[GroundCode(row.ground)]
        review_note = (
            "<br><b>Reviewable:</b> a licensed professional must determine this and sign; "
            "the requester may ask for review."
            if g.reviewable
            else "<br><b>Not reviewable.</b>"
        )
        self.scope.setText(
            f"<i>{html.escape(g.citation)}</i> — {html.escape(g.scope)}{review_note}"
        )
        self.withholds.setVisible(g.copy_only)
        for spec in g.facts:
            if spec.name == "professional_judgment":
                continue  # supplied by the professional's signature
            if spec.kind is FactKind.CONFIRM:
                w: QWidget = QCheckBox()
                assert isinstance(w, QCheckBox)
                w.setChecked(row.facts.get(spec.name) is True)
                w.toggled.connect(lambda v, n=spec.name, r=row: r.facts.__setitem__(n, bool(v)))
                text = _wrap(html.escape(spec.label))
                text.setBuddy(w)
                self.facts_form.addRow(w, text)
            else:
                w = QLineEdit(str(row.facts.get(spec.name, "")))
                assert isinstance(w, QLineEdit)
                w.textChanged.connect(lambda v, n=spec.name, r=row: r.facts.__setitem__(n, v))
                label = _wrap(
                    html.escape(spec.label) + (" <i>(kept internal)</i>" if spec.internal else "")
                )
                self.facts_form.addRow(label)
                self.facts_form.addRow(w)
            w.setObjectName(f"fact_{spec.name}")
            w.setAccessibleName(spec.label)
            w.setToolTip(spec.label)
            self.fact_widgets[spec.name] = w

    def _check_reason(self) -> None:
        problem = denials.reason_problem(self.reason.toPlainText())
        self.reason_check.setText(f"Not a ground for denial. {problem}" if problem else "")
        self.reason_check.setVisible(problem is not None)

    # -- submit ----------------------------------------------------------------------

    def draft(self) -> DraftInput:
        f = self.form
        notes = {"yes": True, "no": False}.get(f.text("notes_separate"))
        det = f.text("determiner")
        participants = tuple(
            int(self.participants.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.participants.count())
            if self.participants.item(i).checkState() == Qt.CheckState.Checked
        )
        return DraftInput(
            parts=tuple(
                PartInput(
                    r.key,
                    r.description,
                    ground=r.ground,
                    facts=dict(r.facts),
                    withholds=r.withholds,
                )
                for r in self.rows
            ),
            rationale=f.text("rationale"),
            letter_detail=f.text("letter_detail"),
            other_holder=f.text("other_holder"),
            letter_address=f.text("letter_address"),
            psychotherapy_notes_kept_separately=notes,
            determiner_id=int(det) if det else None,
            participant_ids=participants,
        )

    def submit(self) -> None:
        store, actor, rid, draft = self.store, self.actor, self.request.id, self.draft()
        self.run_op(
            lambda: denials.draft_denial(store, actor, rid, draft),
            lambda denial_id: setattr(self, "denial_id", denial_id),
        )

    def preview(self) -> None:
        """Render the letter this draft would make (on the worker); show what is missing
        instead if any.
        """
        self.form.clear_errors()
        try:
            draft = self.draft()
        except InvalidInput as exc:  # a quick check of the typed values, no store work
            show_user_error(self, exc)
            return
        store, actor, rid, today = self.store, self.actor, self.request.id, self.today

        def compose() -> tuple[list[str], bytes | None]:
            composed = denials.compose_draft(store, actor, rid, draft, today)
            if composed.missing:
                return composed.missing, None
            from accessdesk_gui.letters import render_letter

            return [], render_letter(composed.data)

        def composed(result: tuple[list[str], bytes | None]) -> None:
            missing, pdf = result
            if pdf is None:
                self.form.show_error(
                    "", "The letter would lack: " + "; ".join(m.rstrip(".") for m in missing)
                )
                return
            self.show_preview(pdf)

        Op(self, compose).success(composed).run()

    def show_preview(self, pdf: bytes) -> None:
        LetterPreviewDialog.show_pdf(pdf, "Letter preview (not issued)", self)


# ---------------------------------------------------------------------------------------
# Sign-off, issue, review
# ---------------------------------------------------------------------------------------


def _fact_text(value: object) -> str:
    return "yes" if value is True else html.escape(str(value))


def _denial_summary(d: DenialView) -> str:
    rows = []
    for p in d.parts:
        if p.ground is None:
            rows.append(f"<li>{html.escape(p.description)} — <i>released</i></li>")
            continue
        g = GROUNDS[p.ground]
        facts = "".join(
            f"<br>&nbsp;&nbsp;{html.escape(spec.label)}: {_fact_text(p.facts[spec.name])}"
            for spec in g.facts
            if spec.name in p.facts
        )
        rows.append(
            f"<li><b>{html.escape(p.description)}</b> — {html.escape(g.title)} "
            f"({html.escape(g.citation)}){facts}</li>"
        )
    rationale = html.escape(d.rationale) or "—"
    return (
        f"Drafted by {html.escape(d.drafter)} on {d.created_at:%Y-%m-%d}.<ul>{''.join(rows)}</ul>"
        f"Rationale: {rationale}"
    )


class SignOffDialog(FormDialog):
    """The licensed professional's determination, signed by entering the password again."""

    def __init__(self, store: Store, actor: Actor, denial_id: int, parent: QWidget | None = None):
        d = denials.get_denial(store, actor, denial_id)
        super().__init__(
            f"Sign off denial {d.id} — request {d.request_id}",
            "",
            "Sign determination",
            parent,
        )
        self.setMinimumWidth(620)
        self.store, self.actor, self.denial_id = store, actor, denial_id
        self.layout().insertWidget(0, _wrap(_denial_summary(d)))
        self.layout().insertWidget(
            1,
            _wrap(
                "By signing you determine, in the exercise of professional judgment, that the "
                "access withheld meets 45 CFR 164.524(a)(3): a danger to life or physical "
                "safety, or substantial harm — not emotional distress or a mere possibility of "
                f"harm. Signed as {html.escape(actor.full_name)} "
                f"({html.escape(actor.licence_type)} {html.escape(actor.licence_number)})."
            ),
        )
        self.form.add("password", "Your password, again:", _password_line())

    def submit(self) -> None:
        store, actor, did, password = (
            self.store,
            self.actor,
            self.denial_id,
            self.form.text("password"),
        )
        # The password is checked again (argon2): on the worker.
        self.run_op(lambda: denials.sign_denial(store, actor, did, password))


class IssueDenialDialog(FormDialog):
    def __init__(
        self,
        store: Store,
        actor: Actor,
        denial_id: int,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Issue denial letter {denial_id}",
            "The letter must be issued by the request's due date and contain every element "
            "of 45 CFR 164.524(d)(2)-(3). Issuing moves the request to denied or partly "
            "denied; what is not denied must still be provided.",
            "Issue letter",
            parent,
        )
        self.store, self.actor, self.denial_id = store, actor, denial_id
        self.letter: denials.IssuedLetter | None = None
        self.form.add("date", "Letter date:", date_line(today))
        composed = denials.compose_letter(store, actor, denial_id, today)
        self.missing = _wrap(
            "<b>Missing:</b> " + html.escape("; ".join(composed.missing))
            if composed.missing
            else "All required elements are present."
        )
        self.missing.setObjectName("missing")
        self.layout().insertWidget(2, self.missing)
        b = self.buttons.addButton("Preview…", QDialogButtonBox.ButtonRole.ActionRole)
        b.clicked.connect(self.preview)

    def preview(self) -> None:
        self.form.clear_errors()
        try:
            day = self.form.date("date")
        except InvalidInput as exc:
            show_user_error(self, exc)
            return
        store, actor, did = self.store, self.actor, self.denial_id
        Op(self, lambda: denials.preview_letter(store, actor, did, day)).success(
            lambda pdf: LetterPreviewDialog.show_pdf(pdf, "Letter preview (not issued)", self)
        ).run()

    def submit(self) -> None:
        store, actor, did, day = self.store, self.actor, self.denial_id, self.form.date("date")
        self.run_op(
            lambda: denials.issue_denial(store, actor, did, day),
            lambda letter: setattr(self, "letter", letter),
        )


class ReviewRequestDialog(FormDialog):
    def __init__(
        self,
        store: Store,
        actor: Actor,
        denial_id: int,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Review asked for",
            "Record that the requester asked for the denial to be reviewed. There is no "
            "deadline for asking. Refer it promptly to a reviewing official.",
            "Record",
            parent,
        )
        self.store, self.actor, self.denial_id = store, actor, denial_id
        self.review_id: int | None = None
        self.form.add("date", "Asked for on:", date_line(today))
        self.form.add("note", "How it was asked (optional):", area())

    def submit(self) -> None:
        store, actor, did = self.store, self.actor, self.denial_id
        day, note = self.form.date("date"), self.form.text("note")
        self.run_op(
            lambda: review.request_review(store, actor, did, day, note),
            lambda review_id: setattr(self, "review_id", review_id),
        )


class ReferReviewDialog(FormDialog):
    """Choose a reviewing official; those who may not review are listed with the reason."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        review_id: int,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Refer review {review_id}",
            "Only a designated licensed professional who did not take part in the denial may "
            "review it (45 CFR 164.524(a)(4), (d)(4)).",
            "Refer",
            parent,
        )
        self.setMinimumWidth(620)
        self.store, self.actor, self.review_id = store, actor, review_id
        self.letter: denials.IssuedLetter | None = None
        cands = review.reviewer_candidates(store, actor, review_id)
        eligible = [(str(c.user_id), c.full_name) for c in cands if c.eligible]
        self.form.add(
            "reviewer", "Reviewer:", combo(eligible or [("", "Nobody is eligible — designate one")])
        )
        excluded = "".join(f"<li>{html.escape(c.reason)}</li>" for c in cands if not c.eligible)
        self.excluded = _wrap(f"<b>Not eligible:</b><ul>{excluded}</ul>" if excluded else "")
        self.excluded.setObjectName("excluded")
        self.layout().insertWidget(2, self.excluded)
        self.form.add("date", "Referred on:", date_line(today))

    def submit(self) -> None:
        uid = self.form.text("reviewer")
        if not uid:
            raise InvalidInput("reviewer", "choose a designated reviewing official.")
        store, actor, rid, day = self.store, self.actor, self.review_id, self.form.date("date")
        self.run_op(
            lambda: review.assign_reviewer(store, actor, rid, int(uid), day),
            lambda letter: setattr(self, "letter", letter),
        )


class ReviewDecisionDialog(FormDialog):
    """The reviewer sees the withheld parts, grounds and rationale, and decides each part."""

    def __init__(
        self,
        store: Store,
        actor: Actor,
        review_id: int,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        v = review.get_review(store, actor, review_id)
        super().__init__(
            f"Decide review {review_id} — request {v.request_id}",
            "",
            "Sign determination",
            parent,
        )
        self.setMinimumWidth(660)
        self.store, self.actor, self.review_id = store, actor, review_id
        self.letter: denials.IssuedLetter | None = None
        d = denials.get_denial(store, actor, v.denial_id)
        self.layout().insertWidget(0, _wrap(_denial_summary(d)))
        self.layout().insertWidget(
            1,
            _wrap(
                "Decide each part on the standards of 45 CFR 164.524(a)(3) only: a danger to "
                "life or physical safety, or substantial harm. The practice must follow your "
                "determination; reversed parts are provided at once."
            ),
        )
        self.parts = v.parts
        for p in v.parts:
            options = [("reverse", "Reverse: provide it")] + [
                (code.value, f"Uphold: {GROUNDS[code].title}")
                for code in GroundCode
                if GROUNDS[code].reviewable
            ]
            self.form.add(f"part_{p.key}", f"{p.description}:", combo(options, p.ground.value))
        self.form.add("rationale", "Reasons (kept on file):", area())
        self.form.add("date", "Decided on:", date_line(today))
        self.form.add("password", "Your password, again:", _password_line())

    def submit(self) -> None:
        upheld: dict[str, GroundCode] = {}
        reversed_parts: list[str] = []
        for p in self.parts:
            choice = self.form.text(f"part_{p.key}")
            if choice == "reverse":
                reversed_parts.append(p.key)
            else:
                upheld[p.key] = GroundCode(choice)
        store, actor, rid = self.store, self.actor, self.review_id
        day, password, rationale = (
            self.form.date("date"),
            self.form.text("password"),
            self.form.text("rationale"),
        )
        # Signed with the password again (argon2), and a letter made: on the worker.
        self.run_op(
            lambda: review.decide_review(
                store, actor, rid, upheld, reversed_parts, day, password, rationale
            ),
            lambda letter: setattr(self, "letter", letter),
        )


# ---------------------------------------------------------------------------------------
# The physician's queue
# ---------------------------------------------------------------------------------------


class MyQueueDialog(QDialog):
    """What awaits this professional's sign-off or review, oldest first."""

    changed = Signal()

    def __init__(
        self, store: Store, actor: Actor, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("My sign-offs and reviews")
        self.resize(780, 380)
        self.store, self.actor, self.today = store, actor, today
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Oldest first. Open one to sign off or decide it."))
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("my_queue")
        self.table.setHorizontalHeaderLabels(["Waiting", "Request", "Patient", "What"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open…", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self.open_current)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.items = review.my_queue(self.store, self.actor)
        self.table.setRowCount(len(self.items))
        for n, i in enumerate(self.items):
            for col, text in enumerate(
                [i.waited_text, str(i.request_id), i.patient_name, i.summary]
            ):
                self.table.setItem(n, col, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)
        if self.items:
            self.table.selectRow(0)

    def dialog_for(self, index: int) -> FormDialog:
        i = self.items[index]
        if i.kind is QueueKind.SIGN_OFF:
            return SignOffDialog(self.store, self.actor, i.denial_id, self)
        assert i.review_id is not None
        return ReviewDecisionDialog(self.store, self.actor, i.review_id, self.today, self)

    def open_current(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.items):
            return
        if self.dialog_for(row).exec():
            emit(self.changed)
            self.refresh()


# ---------------------------------------------------------------------------------------
# The panel on a request
# ---------------------------------------------------------------------------------------


class DenialPanel(QGroupBox):
    """A request's denials and reviews, with the step each one is waiting for."""

    changed = Signal(int)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__("Denials", parent)
        self.store, self.actor = store, actor
        self.today = dt.date.today()
        self.request: RequestDetail | None = None
        self.lay = QVBoxLayout(self)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def _clear(self) -> None:
        while self.lay.count():
            item = self.lay.takeAt(0)
            w = item.widget()
            if w is not None:
                w.deleteLater()
        self.buttons = {}

    def _button(self, row: QHBoxLayout, name: str, text: str, run: object) -> None:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(run)
        row.addWidget(b)
        self.buttons[name] = b

    def show_request(self, d: RequestDetail | None) -> None:
        self._clear()
        self.request = d
        if d is None:
            self.hide()
            return
        store, actor = self.store, self.actor

        def load() -> list[tuple[DenialView, list[review.ReviewView]]]:
            return [
                (den, review.reviews_for_denial(store, actor, den.id))
                for den in denials.denials_for_request(store, actor, d.id)
            ]

        def failed(exc: BaseException) -> None:
            if self.request is d:
                self.show()
                self.lay.addWidget(_wrap(html.escape(user_message(exc))))

        Op(self, load).success(lambda items: self._fill(d, items)).failure(failed).run()

    def _fill(
        self, d: RequestDetail, loaded: list[tuple[DenialView, list[review.ReviewView]]]
    ) -> None:
        if self.request is not d:  # another request was chosen meanwhile
            return
        items = [den for den, _ in loaded]
        if not items and d.status not in _OPEN:
            self.hide()
            return
        self.show()
        for den, reviews in loaded:
            if den.status is DenialStatus.DISCARDED:
                continue
            denied = ", ".join(p.description for p in den.parts if p.denied)
            text = (
                f"<b>Denial {den.id}</b> ({den.extent.value}): "
                f"{html.escape(denials.STATUS_LABELS[den.status])}. Withheld: {html.escape(denied)}"
            )
            if den.signature:
                text += (
                    f"<br>Signed by {html.escape(den.signature.full_name)} "
                    f"({html.escape(den.signature.licence_type)} "
                    f"{html.escape(den.signature.licence_number)}) "
                    f"{den.signature.signed_at:%Y-%m-%d %H:%M} UTC"
                )
            for rv in reviews:
                text += f"<br>Review {rv.id}: {html.escape(review.REVIEW_STATUS_LABELS[rv.status])}"
                if rv.reviewer:
                    text += f" — {html.escape(rv.reviewer)}"
                if rv.outcome:
                    text += f" — {rv.outcome.value.replace('_', ' ')}"
            self.lay.addWidget(_wrap(text))
            row = QHBoxLayout()
            st = den.status
            if st is DenialStatus.AWAITING_SIGNATURE and den.determiner_id == self.actor.user_id:
                self._button(
                    row, f"sign_{den.id}", "Sign off…", lambda _=False, i=den.id: self.sign(i)
                )
            if st in (DenialStatus.DRAFT, DenialStatus.SIGNED):
                self._button(
                    row, f"issue_{den.id}", "Issue letter…", lambda _=False, i=den.id: self.issue(i)
                )
            if st is DenialStatus.ISSUED:
                self._button(
                    row,
                    f"letter_{den.id}",
                    "View letter",
                    lambda _=False, i=den.id: self.view_letter(i),
                )
                reviewable = any(p.reviewable for p in den.parts)
                if reviewable and not reviews:
                    self._button(
                        row,
                        f"review_{den.id}",
                        "Review asked for…",
                        lambda _=False, i=den.id: self.ask_review(i),
                    )
            for rv in reviews:
                if rv.status is not ReviewStatus.DECIDED:
                    self._button(
                        row,
                        f"refer_{rv.id}",
                        "Refer to reviewer…",
                        lambda _=False, i=rv.id: self.refer(i),
                    )
                if rv.status is ReviewStatus.REFERRED and rv.reviewer_id == self.actor.user_id:
                    self._button(
                        row,
                        f"decide_{rv.id}",
                        "Decide review…",
                        lambda _=False, i=rv.id: self.decide(i),
                    )
            row.addStretch(1)
            self.lay.addLayout(row)
        if d.status in _OPEN and not any(
            x.status in (DenialStatus.DRAFT, DenialStatus.AWAITING_SIGNATURE, DenialStatus.SIGNED)
            for x in items
        ):
            row = QHBoxLayout()
            self._button(row, "compose", "Deny all or part…", self.compose)
            row.addStretch(1)
            self.lay.addLayout(row)

    # Dialog factories are separate so tests can drive the dialogs without exec().
    def composer(self) -> DenialComposerDialog:
        assert self.request is not None
        return DenialComposerDialog(self.store, self.actor, self.request, self.today, self)

    def _run(self, dialog: QDialog) -> bool:
        if dialog.exec():
            assert self.request is not None
            emit(self.changed, self.request.id)
            return True
        return False

    def compose(self) -> None:
        self._run(self.composer())

    def sign(self, denial_id: int) -> None:
        self._run(SignOffDialog(self.store, self.actor, denial_id, self))

    def issue(self, denial_id: int) -> None:
        self._run(IssueDenialDialog(self.store, self.actor, denial_id, self.today, self))

    def view_letter(self, denial_id: int) -> None:
        store, actor = self.store, self.actor
        Op(self, lambda: denials.letter_pdf(store, actor, denial_id)).success(
            lambda pdf: LetterPreviewDialog.show_pdf(pdf, f"Denial letter {denial_id}", self)
        ).run()

    def ask_review(self, denial_id: int) -> None:
        self._run(ReviewRequestDialog(self.store, self.actor, denial_id, self.today, self))

    def refer(self, review_id: int) -> None:
        self._run(ReferReviewDialog(self.store, self.actor, review_id, self.today, self))

    def decide(self, review_id: int) -> None:
        self._run(ReviewDecisionDialog(self.store, self.actor, review_id, self.today, self))
