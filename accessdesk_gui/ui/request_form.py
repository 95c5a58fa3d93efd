"""Logging a new request: every intake item of the rule, each problem shown at its field.

Sections: patient and receipt; who asks (patient, personal representative, directive to a
third party); verification; what is asked; form and format; delivery; fee estimate;
scanned request. Rows that do not apply are hidden, not disabled, so the form stays short.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QWidget,
)

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.errors import InvalidInput
from accessdesk_gui.domain.fees import (
    BENEFIT_CLAIM_QUESTION,
    COMPONENT_LABELS,
    PAYMENT_HOLD_REASON,
    FeeComponent,
    FeeLine,
    FeeMethod,
    asks_about_benefit_claim,
    state_fee_rules,
)
from accessdesk_gui.domain.intake import (
    AUTHORITY_LABELS,
    CHANNEL_LABELS,
    DEFAULT_CATEGORIES,
    ELECTRONIC_FORMAT_LABELS,
    EMAIL_RISK_WARNING,
    LANGUAGES,
    VERIFICATION_LABELS,
    Authority,
    Channel,
    Delivery,
    ElectronicFormat,
    Format,
    Intake,
    RequesterKind,
    Verification,
    VerificationMethod,
    parse_date,
)
from accessdesk_gui.services import intake as intake_service
from accessdesk_gui.services import practice, requests
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.dialogs import FormDialog
from accessdesk_gui.ui.forms import area, combo, date_line, line
from accessdesk_gui.ui.window_size import fit_to_screen


def check(text: str, checked: bool = False) -> QCheckBox:
    w = QCheckBox(text)
    w.setChecked(checked)
    return w


def section(text: str) -> QLabel:
    lbl = QLabel(f"<b>{text}</b>")
    lbl.setContentsMargins(0, 8, 0, 0)
    return lbl


class NewRequestDialog(FormDialog):
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: dt.date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Log a request for records",
            "The 30-day clock starts on the date the request was received, whatever is still "
            "missing (45 CFR 164.524(b)(2)). Fields marked * are needed; anything unclear can "
            "be logged now and clarified later.",
            "Log request",
            parent,
        )
        self.store = store
        self.actor = actor
        self.today = today or dt.date.today()
        self.request_id: int | None = None
        self.setMinimumWidth(640)
        fit_to_screen(self, 720, 780)
        # The form is long: scroll it, keep the buttons in view.
        lay = self.layout()
        lay.removeWidget(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        lay.insertWidget(lay.count() - 1, scroll, 1)

        f = self.form
        fl = f.form
        fl.addRow(section("Patient and receipt"))
        f.add("patient_name", "Patient name:*", line(max_length=400))
        f.add("patient_dob", "Date of birth:*", date_line())
        f.add("mrn", "MRN:", line(max_length=80))
        f.add("received", "Received on:*", date_line(self.today))
        f.add("channel", "Received by:", combo([(c.value, CHANNEL_LABELS[c]) for c in Channel]))
        f.add(
            "preferred_language",
            "Letters in:",
            combo(list(LANGUAGES.items())),
            "The language of the letters sent to the requester.",
        )

        fl.addRow(section("Who is asking"))
        kind = combo(
            [
                (RequesterKind.INDIVIDUAL.value, "The patient"),
                (RequesterKind.PERSONAL_REPRESENTATIVE.value, "A personal representative"),
                (
                    RequesterKind.THIRD_PARTY_DIRECTIVE.value,
                    "The patient's directive to send a copy to someone else",
                ),
            ]
        )
        f.add("requester_kind", "Who is asking:", kind)
        f.add("requester_name", "Representative's name:*", line(max_length=400))
        f.add(
            "authority",
            "Kind of authority:*",
            combo([(a.value, AUTHORITY_LABELS[a]) for a in Authority]),
            "Personal representatives stand in the patient's place (45 CFR 164.502(g)).",
        )
        f.add(
            "requester_relationship",
            "Relationship:",
            line(placeholder="e.g. mother; daughter and executor", max_length=200),
        )
        f.add(
            "authority_document",
            "Document seen:",
            line(placeholder="e.g. birth certificate, letters of guardianship", max_length=500),
        )
        f.add("directive_recipient", "Send to (recipient):", line(max_length=200))
        f.add(
            "directive_destination",
            "Where to send:",
            line(placeholder="address, fax or e-mail", max_length=500),
        )
        f.add(
            "directive_signed",
            "",
            check("The directive is signed by the patient (electronic signature is fine)"),
            "A signed written directive naming the recipient is enough; a HIPAA authorization "
            "is not required (164.524(c)(3)(ii)). Missing parts are clarified while the clock "
            "runs.",
        )

        fl.addRow(section("Identity and authority"))
        f.add(
            "verified_method",
            "Verified by:",
            combo(
                [("", "Not verified yet")]
                + [(m.value, VERIFICATION_LABELS[m]) for m in VerificationMethod]
            ),
            "Access is provided only after verification (164.514(h)); the clock runs from "
            "receipt regardless.",
        )
        f.add("verified_on", "Verified on:", date_line(self.today))

        fl.addRow(section("What is asked for"))
        f.add("whole_drs", "", check("The whole designated record set"))
        cats = QListWidget()
        cats.setFixedHeight(120)
        for key, label in DEFAULT_CATEGORIES.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            cats.addItem(item)
        f.add("categories", "Or these records:", cats)
        f.add(
            "scope",
            "In their words:",
            area(placeholder="e.g. knee MRI images and the surgeon's notes"),
        )
        f.add("date_from", "Dates from:", date_line())
        f.add("date_to", "Dates to:", date_line())
        f.add(
            "access",
            "Access:",
            combo(
                [
                    ("copy", "A copy"),
                    ("inspect", "Inspect in person"),
                    ("both", "Both"),
                    ("summary", "A summary instead of the records"),
                ]
            ),
        )
        f.add("summary_agreed", "", check("Patient agreed to a summary instead of the records"))
        f.add(
            "summary_fee_agreed",
            "",
            check("Patient agreed, separately, to the summary's fee"),
            "Both agreements are needed in advance (164.524(c)(2)(iii)).",
        )

        fl.addRow(section("Form and format"))
        f.add(
            "format",
            "Format:",
            combo([("electronic", "Electronic"), ("paper", "Paper")]),
            "Electronic records asked for electronically must be offered electronically "
            "(164.524(c)(2)(ii)).",
        )
        f.add(
            "electronic_format",
            "Electronic form:",
            combo(
                [("", "Any readable electronic form")]
                + [(e.value, ELECTRONIC_FORMAT_LABELS[e]) for e in ElectronicFormat]
            ),
        )
        f.add("phi_electronic", "", check("The records asked for are kept electronically", True))
        f.add(
            "agreed_format",
            "Agreed format:",
            combo(
                [("", "As asked")]
                + [(e.value, ELECTRONIC_FORMAT_LABELS[e]) for e in ElectronicFormat]
                + [("paper", "Paper")]
            ),
            "What was agreed if the asked-for form is not readily producible.",
        )
        f.add(
            "declined_electronic",
            "",
            check("The patient declined every electronic format offered"),
        )

        fl.addRow(section("Delivery"))
        delivery = combo(
            [
                ("portal", "Patient portal"),
                ("pickup", "Pick up"),
                ("mail", "Mail"),
                ("email", "E-mail"),
                ("third_party", "Direct to the third party"),
            ]
        )
        f.add("delivery", "Delivery:", delivery)
        f.add("mail_address", "Mailing address:*", area(placeholder="Street\nCity, State ZIP"))
        f.add("email", "E-mail address:*", line(max_length=254))
        warning = QLabel(EMAIL_RISK_WARNING)
        warning.setWordWrap(True)
        f.add("email_warning", "", warning)
        f.add(
            "email_risk_accepted",
            "",
            check("Warned of the risk, the requester still wants unencrypted e-mail"),
        )

        fl.addRow(section("Fee estimate (before the work)"))
        f.add(
            "fee_method",
            "Fee method:",
            combo(
                [
                    ("", "No estimate yet"),
                    (FeeMethod.ACTUAL_COST.value, "Actual cost"),
                    (FeeMethod.AVERAGE_SCHEDULE.value, "Schedule of average costs"),
                    (FeeMethod.FLAT_FEE.value, "Flat fee (at most $6.50, electronic only)"),
                ]
            ),
            "Only the components below may be charged (164.524(c)(4)). " + PAYMENT_HOLD_REASON,
        )
        # State fee rules (domain/fees.py; access-rules 11.1): asked only where they matter.
        self.state = practice.get_practice(store).state
        if asks_about_benefit_claim(self.state):
            f.add("benefit_claim", "", check(BENEFIT_CLAIM_QUESTION))
        if any(r.first_copy_free or r.free_once_for_benefit_claim
               for r in state_fee_rules(self.state)):  # fmt: skip
            f.add("earlier_copy", "", check("The patient already had a copy from us"))
        self.fee_edits: dict[FeeComponent, QLineEdit] = {}
        for comp in FeeComponent:
            edit = line(placeholder="0.00", max_length=12)
            self.fee_edits[comp] = edit
            f.add(f"fee_{comp.value}", f"{COMPONENT_LABELS[comp]} $:", edit)

        fl.addRow(section("Scanned request"))
        scan_box = QWidget()
        row = QHBoxLayout(scan_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.scan_path = line(placeholder="PDF or image of the written request")
        self.scan_path.setAccessibleName("Scanned request file")
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose the scanned request file")
        browse.clicked.connect(self._browse)
        row.addWidget(self.scan_path, 1)
        row.addWidget(browse)
        scan_box.setFocusProxy(self.scan_path)  # an error at "File" puts the cursor there
        f.add("file", "File:", scan_box)

        for w in f.fields.values():
            if isinstance(w, QCheckBox):  # their label is the box's own text
                w.setAccessibleName(w.text())
        warning.setAccessibleName("Unencrypted e-mail warning")
        cats.setAccessibleName("Record categories asked for")
        for name in ("requester_kind", "delivery", "access", "format", "fee_method"):
            f.fields[name].currentIndexChanged.connect(self._sync)  # type: ignore[attr-defined]
        f.fields["verified_method"].currentIndexChanged.connect(self._sync)  # type: ignore[attr-defined]
        self._sync()
        # Typing starts at the patient's name. (Moved into the scroll area, the fields come
        # after the buttons in the tab chain: the dialog opened with "Log request" focused,
        # and the space in a typed name pressed it.)
        f.fields["patient_name"].setFocus()

    # -- behaviour ------------------------------------------------------------------------

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Scanned request", "", "PDF or image (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"
        )
        if path:
            self.scan_path.setText(path)

    def _checked(self, name: str) -> bool:
        w = self.form.fields[name]
        return isinstance(w, QCheckBox) and w.isChecked()

    def _sync(self) -> None:
        f = self.form
        kind = f.text("requester_kind")
        rep = kind == RequesterKind.PERSONAL_REPRESENTATIVE.value
        directive = kind == RequesterKind.THIRD_PARTY_DIRECTIVE.value
        for name in ("requester_name", "authority", "requester_relationship", "authority_document"):
            f.set_visible(name, rep)
        for name in ("directive_recipient", "directive_destination", "directive_signed"):
            f.set_visible(name, directive)
        if directive and f.text("delivery") != Delivery.THIRD_PARTY.value:
            d = f.fields["delivery"]
            d.setCurrentIndex(d.findData(Delivery.THIRD_PARTY.value))  # type: ignore[attr-defined]
        delivery = f.text("delivery")
        f.set_visible("mail_address", delivery == Delivery.MAIL.value)
        email = delivery == Delivery.EMAIL.value
        for name in ("email", "email_warning", "email_risk_accepted"):
            f.set_visible(name, email)
        summary = f.text("access") == "summary"
        f.set_visible("summary_agreed", summary)
        f.set_visible("summary_fee_agreed", summary)
        electronic = f.text("format") == Format.ELECTRONIC.value
        for name in ("electronic_format", "agreed_format", "declined_electronic"):
            f.set_visible(name, electronic)
        f.set_visible("verified_on", bool(f.text("verified_method")))
        fees = bool(f.text("fee_method"))
        for comp in FeeComponent:
            f.set_visible(f"fee_{comp.value}", fees)

    def _optional_date(self, name: str) -> dt.date | None:
        text = self.form.text(name).strip()
        return parse_date(name, text) if text else None

    def _categories(self) -> tuple[str, ...]:
        w = self.form.fields["categories"]
        assert isinstance(w, QListWidget)
        return tuple(
            str(w.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(w.count())
            if w.item(i).checkState() == Qt.CheckState.Checked
        )

    def intake(self) -> Intake:
        f = self.form
        kind = RequesterKind(f.text("requester_kind"))
        rep = kind is RequesterKind.PERSONAL_REPRESENTATIVE
        delivery = Delivery(f.text("delivery"))
        access = f.text("access")
        method = f.text("verified_method")
        return Intake(
            patient_name=f.text("patient_name"),
            patient_dob=f.date("patient_dob"),
            received=f.date("received"),
            requester_kind=kind,
            scope=f.text("scope"),
            access=AccessKind.COPY if access == "summary" else AccessKind(access),
            format=Format(f.text("format")),
            delivery=delivery,
            mrn=f.text("mrn"),
            requester_name=f.text("requester_name") if rep else "",
            requester_relationship=f.text("requester_relationship") if rep else "",
            mail_address=f.text("mail_address") if delivery is Delivery.MAIL else "",
            email=f.text("email") if delivery is Delivery.EMAIL else "",
            authority=Authority(f.text("authority")) if rep else None,
            authority_document=f.text("authority_document") if rep else "",
            directive_recipient=f.text("directive_recipient"),
            directive_destination=f.text("directive_destination"),
            directive_signed=self._checked("directive_signed"),
            whole_drs=self._checked("whole_drs"),
            categories=self._categories(),
            date_from=self._optional_date("date_from"),
            date_to=self._optional_date("date_to"),
            summary=access == "summary",
            summary_agreed=self._checked("summary_agreed"),
            summary_fee_agreed=self._checked("summary_fee_agreed"),
            electronic_format=(
                ElectronicFormat(f.text("electronic_format"))
                if f.text("electronic_format")
                else None
            ),
            phi_electronic=self._checked("phi_electronic"),
            agreed_format=f.text("agreed_format"),
            declined_electronic=self._checked("declined_electronic"),
            email_risk_accepted=self._checked("email_risk_accepted"),
            channel=Channel(f.text("channel")),
            preferred_language=f.text("preferred_language"),
            verification=(
                Verification(VerificationMethod(method), f.date("verified_on")) if method else None
            ),
            benefit_claim="benefit_claim" in f.fields and self._checked("benefit_claim"),
            earlier_copy="earlier_copy" in f.fields and self._checked("earlier_copy"),
        )

    def fee_lines(self) -> list[FeeLine]:
        lines = []
        for comp, edit in self.fee_edits.items():
            text = edit.text().strip().lstrip("$")
            if not text:
                continue
            try:
                amount = Decimal(text)
            except InvalidOperation:
                raise InvalidInput(f"fee_{comp.value}", "enter an amount, e.g. 2.50") from None
            if not amount.is_finite() or amount < 0 or amount > Decimal("100000"):
                raise InvalidInput(f"fee_{comp.value}", "enter an amount, e.g. 2.50")
            lines.append(FeeLine(comp, amount))
        return lines

    def submit(self) -> None:
        # One call: the service checks the intake, the scan and the fee before it saves
        # anything, so a refused scan leaves no request behind (pressing OK again is safe).
        intake = self.intake()
        attachment = None
        path_text = self.scan_path.text().strip()
        if path_text:
            try:
                data = Path(path_text).read_bytes()
            except OSError:
                raise InvalidInput("file", "cannot be read; choose the file again.") from None
            attachment = intake_service.NewAttachment(path_text, data)
        method = self.form.text("fee_method")
        lines = self.fee_lines()
        store, actor, today = self.store, self.actor, self.today
        fee = intake_service.NewEstimate(FeeMethod(method), lines) if method else None

        def log() -> int:  # one command: request, scan and estimate checked, then saved
            return requests.log_request(
                store, actor, intake, today=today, attachment=attachment, fee=fee
            )

        self.run_op(log, lambda rid: setattr(self, "request_id", rid))
