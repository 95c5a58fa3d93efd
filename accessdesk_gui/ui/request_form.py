"""Logging a new request, with each problem shown at its field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QWidget

from accessdesk_gui.domain.deadlines import AccessKind
from accessdesk_gui.domain.intake import Delivery, Format, Intake, RequesterKind
from accessdesk_gui.services import requests
from accessdesk_gui.services.auth import Actor
from accessdesk_gui.store.db import Store
from accessdesk_gui.ui.dialogs import FormDialog
from accessdesk_gui.ui.forms import area, combo, date_line, line


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
            "missing (45 CFR 164.524(b)(2)).",
            "Log request",
            parent,
        )
        self.store = store
        self.actor = actor
        self.today = today or dt.date.today()
        self.request_id: int | None = None
        f = self.form
        f.add("patient_name", "Patient name:*", line(max_length=400))
        f.add("patient_dob", "Date of birth:*", date_line())
        f.add("mrn", "MRN:", line(max_length=80))
        f.add("received", "Received on:*", date_line(self.today))
        kind = combo(
            [
                (RequesterKind.INDIVIDUAL.value, "The patient"),
                (RequesterKind.PERSONAL_REPRESENTATIVE.value, "A personal representative"),
            ]
        )
        f.add("requester_kind", "Who is asking:", kind)
        f.add("requester_name", "Representative's name:*", line(max_length=400))
        f.add(
            "requester_relationship",
            "Authority:*",
            line(placeholder="e.g. parent of a minor, guardian, executor", max_length=200),
        )
        f.add("scope", "What is asked for:*", area(placeholder="e.g. all records incl. billing"))
        f.add(
            "access",
            "Access:",
            combo([("copy", "A copy"), ("inspect", "Inspect in person"), ("both", "Both")]),
        )
        f.add(
            "format",
            "Format:",
            combo([("electronic", "Electronic"), ("paper", "Paper")]),
            "Electronic records asked for electronically must be offered electronically "
            "(164.524(c)(2)(ii)).",
        )
        delivery = combo(
            [
                ("portal", "Patient portal"),
                ("pickup", "Pick up"),
                ("mail", "Mail"),
                ("email", "E-mail"),
            ]
        )
        f.add("delivery", "Delivery:", delivery)
        f.add("mail_address", "Mailing address:*", area(placeholder="Street\nCity, State ZIP"))
        f.add("email", "E-mail address:*", line(max_length=254))
        kind.currentIndexChanged.connect(self._sync)
        delivery.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        f = self.form
        rep = f.text("requester_kind") == RequesterKind.PERSONAL_REPRESENTATIVE.value
        f.set_visible("requester_name", rep)
        f.set_visible("requester_relationship", rep)
        f.set_visible("mail_address", f.text("delivery") == Delivery.MAIL.value)
        f.set_visible("email", f.text("delivery") == Delivery.EMAIL.value)

    def submit(self) -> None:
        f = self.form
        rep = f.text("requester_kind") == RequesterKind.PERSONAL_REPRESENTATIVE.value
        intake = Intake(
            patient_name=f.text("patient_name"),
            patient_dob=f.date("patient_dob"),
            received=f.date("received"),
            requester_kind=RequesterKind(f.text("requester_kind")),
            scope=f.text("scope"),
            access=AccessKind(f.text("access")),
            format=Format(f.text("format")),
            delivery=Delivery(f.text("delivery")),
            mrn=f.text("mrn"),
            requester_name=f.text("requester_name") if rep else "",
            requester_relationship=f.text("requester_relationship") if rep else "",
            mail_address=f.text("mail_address") if f.text("delivery") == "mail" else "",
            email=f.text("email") if f.text("delivery") == "email" else "",
        )
        self.request_id = requests.log_request(self.store, self.actor, intake, today=self.today)
