"""The main window: the queue on the left, the selected request on the right.

It opens in two steps so the queue is usable at once (docs/performance.md, "Queue"):
the toolbar, filters and the first page of the queue are built from light modules that
read through the store's raw connection; the ORM, the services and the request panels
are imported on a worker thread after the first paint, and the panels are then built on
the UI thread. Anything that needs them before that (Enter on a row, Ctrl+N) builds them
at once (``_complete``), waiting for the imports if they are still running.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from accessdesk_gui.domain.roles import Role
from accessdesk_gui.services import practice, queue
from accessdesk_gui.services.actor import Actor, list_users
from accessdesk_gui.services.queue import VIEW_LABELS, Query, View
from accessdesk_gui.services.workspace import Store
from accessdesk_gui.ui.login import PRELOAD_AT_LOGIN, preload
from accessdesk_gui.ui.operations import Op, user_message
from accessdesk_gui.ui.qtcompat import emit
from accessdesk_gui.ui.queue_filters import QueueFilterBar, ReminderBanner
from accessdesk_gui.ui.queue_model import REQUEST_ID_ROLE, RequestTableModel
from accessdesk_gui.ui.window_size import fit_to_screen

if TYPE_CHECKING:
    from accessdesk_gui.ui.mail_batch import MailBatch
    from accessdesk_gui.ui.request_desk import DeskPanel
    from accessdesk_gui.ui.request_detail import RequestDetailPanel

SEARCH_DELAY_MS = 150
REMINDER_CHECK_MS = 5 * 60 * 1000

# What the request panels and actions need, imported on the worker after the first
# paint. Qt widget modules are imported on the UI thread (in _complete).
BACKGROUND_IMPORTS = PRELOAD_AT_LOGIN
# Then the letter engine (ReportLab, pypdf): imported on the worker, the first letter
# would hold the UI thread up to ~100 ms through the GIL (bench/bench_ui_pauses.py).
LETTER_IMPORTS = ("accessdesk_gui.letters.render", "accessdesk_gui.letters.pdftools")


class QueueTable(QTableView):
    """The queue's table; says once when it has first painted its rows."""

    first_painted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            emit(self.first_painted)


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: dt.date | None = None,
        title_suffix: str = "",
    ) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        # With no fixed date the window follows the calendar (see _tick).
        self._live_date = today is None
        self.today = today or dt.date.today()
        # No patient data in the title: it shows in the taskbar and screen sharing.
        self.setWindowTitle(f"AccessDesk — {practice.get_practice(store).name}{title_suffix}")
        fit_to_screen(self, 1280, 760)

        tools = QToolBar("Main")
        tools.setMovable(False)
        self.addToolBar(tools)
        self.new_action = QAction("New request", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_request)
        tools.addAction(self.new_action)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        tools.addAction(refresh)
        self.mail_action = QAction("Print today's mail", self)
        self.mail_action.triggered.connect(self.print_todays_mail)
        tools.addAction(self.mail_action)
        self.drs_action = QAction("Record set map…", self)
        self.drs_action.triggered.connect(self.open_drs_wizard)
        self.drs_action.setVisible(actor.has(Role.PRIVACY_OFFICER))
        tools.addAction(self.drs_action)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.triggered.connect(self.open_settings)
        tools.addAction(self.settings_action)
        self.queue_action: QAction | None = None
        if actor.has(Role.LICENSED_PROFESSIONAL):
            self.queue_action = QAction("My sign-offs and reviews", self)
            self.queue_action.triggered.connect(self.open_my_queue)
            tools.addAction(self.queue_action)

        self.view_combo = QComboBox()
        self.view_combo.setObjectName("view")
        self.view_combo.setAccessibleName("Queue view")
        for view in View:
            self.view_combo.addItem(VIEW_LABELS[view], view.value)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search patient, MRN or request no. (Ctrl+F)")
        self.search.setAccessibleName("Search requests")
        self.search.setClearButtonEnabled(True)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)

        self.filters = QueueFilterBar(list_users(store, actor))
        self.reminder = ReminderBanner()
        self.model = RequestTableModel(store, actor, Query(today=self.today, me_id=actor.user_id))
        self.table = QueueTable()
        self.table.setObjectName("queue")
        self.table.setAccessibleName("Request queue")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate([52, 165, 140, 82, 82, 120, 86, 110]):
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._open)

        self._detail: RequestDetailPanel | None = None
        self._desk: DeskPanel | None = None

        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.view_combo)
        bar.addWidget(self.search, 1)
        lay.addLayout(bar)
        lay.addWidget(self.filters)
        lay.addWidget(self.reminder)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        legend = QLabel(
            "<span style='background:#f8d7da'>&nbsp;OVERDUE&nbsp;</span> past the due date "
            "&nbsp; <span style='background:#fff3cd'>&nbsp;Soon&nbsp;</span> due within 7 days"
        )
        lay.addWidget(legend)

        split = QSplitter()
        split.addWidget(left)
        right = QWidget()
        self._right = QVBoxLayout(right)
        self._right.setContentsMargins(0, 0, 0, 0)
        # Until the request panels are built (right after the first paint).
        self._placeholder = QLabel("Select a request in the queue to see it here.")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._right.addWidget(self._placeholder, 1)
        # A request's facts, tabs and desk need ~770 px: on a 768 or 720 px screen they
        # scroll instead of making the window taller than the screen.
        self._right_scroll = QScrollArea()
        self._right_scroll.setWidgetResizable(True)
        self._right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._right_scroll.setWidget(right)
        split.addWidget(self._right_scroll)
        split.setSizes([860, 420])
        self.setCentralWidget(split)
        roles = ", ".join(sorted(r.value.replace("_", " ") for r in actor.roles))
        self.statusBar().showMessage(f"Logged in as {actor.full_name} ({roles})")

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        # From the search box, Down goes to the results and Enter opens the first one.
        self.search.installEventFilter(self)
        self.view_combo.currentIndexChanged.connect(self.apply_filters)
        self.filters.changed.connect(self.apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        # Reminders: now, and again whenever the date changes (requests cross 7 and 1 days).
        self._reminder_timer = QTimer(self)
        self._reminder_timer.setInterval(REMINDER_CHECK_MS)
        self._reminder_timer.timeout.connect(self._tick)
        self._reminder_timer.start()
        # The model has loaded its first page; the view counts and the reminder follow right
        # after the first paint, and the imports for the request panels run meanwhile.
        self._update_summary()
        self._count_generation = 0
        self._started = False
        self.table.first_painted.connect(
            lambda: QTimer.singleShot(0, self._after_first_paint),
            Qt.ConnectionType.QueuedConnection,
        )
        # A window not shown (yet) has no paint to wait for.
        QTimer.singleShot(0, lambda: None if self.isVisible() else self._after_first_paint())
        # No request is opened until the user picks one: opening is a view of PHI and is
        # audited (164.312(b)), so the app must not record views nobody made. The search box
        # has the focus (a table taking focus makes its first row current, which opens it).
        self.search.setFocus()

    # -- behaviour ------------------------------------------------------------------------

    def apply_filters(self) -> None:
        q = replace(
            self.model.query,
            view=View(self.view_combo.currentData()),
            search=self.search.text(),
            today=self.today,
            me_id=self.actor.user_id,
            **self.filters.values(),  # type: ignore[arg-type]
        )
        self.model.set_query(q)
        self._update_summary()
        shown = self._detail.detail if self._detail is not None else None
        if shown is not None and self.model.row_of_request(shown.id) is None:
            # The request on the right is no longer in the list: do not leave it showing.
            self.detail.show_request(None)
            self.desk.show_detail(None)

    def _after_first_paint(self) -> None:
        if self._started:
            return
        self._started = True
        self._update_counts()  # with the reminder, on the worker
        # The imports for the request panels follow on the same worker.
        Op(self, preload).success(lambda _: self._complete()).run()
        Op(self, lambda: preload(LETTER_IMPORTS)).run()

    @property
    def ready(self) -> bool:
        """The request panels are built: every action works without a wait."""
        return self._detail is not None

    def _complete(self) -> None:
        """Build the request panels (on the UI thread; imports run first if not done)."""
        if self._detail is not None:
            return
        # Waits for the worker's import if it is still running (an import started on
        # another thread blocks here until done): the panels query the ORM at once, and it
        # must see every model.
        preload(BACKGROUND_IMPORTS)
        from accessdesk_gui.ui.request_desk import DeskPanel
        from accessdesk_gui.ui.request_detail import RequestDetailPanel

        detail = RequestDetailPanel(self.store, self.actor)
        detail.today = self.today
        detail.changed.connect(lambda _rid: self.refresh())
        desk = DeskPanel(self.store, self.actor)
        desk.today = self.today
        desk.changed.connect(lambda _rid: self.refresh())
        detail.shown.connect(desk.show_detail)  # the request read on the worker is on screen
        self._right.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        self._right.addWidget(detail, 1)
        self._right.addWidget(desk)
        for w in (detail, desk):
            # Added to a shown window: show now (a layout would only post it), unless the
            # panel hid itself on purpose.
            if not w.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                w.show()
        self._detail, self._desk = detail, desk
        # Never narrower than the panels (no sideways scrolling), whatever the splitter.
        bar = self._right_scroll.verticalScrollBar().sizeHint().width()
        self._right_scroll.setMinimumWidth(
            self._right_scroll.widget().minimumSizeHint().width() + bar
        )

    @property
    def detail(self) -> RequestDetailPanel:
        self._complete()
        assert self._detail is not None
        return self._detail

    @property
    def desk(self) -> DeskPanel:
        self._complete()
        assert self._desk is not None
        return self._desk

    def update_reminder(self) -> None:
        self.reminder.show_reminder(queue.reminders(self.store, self.actor, self.today))

    def _tick(self) -> None:
        if self._live_date and dt.date.today() != self.today:
            self.set_today(dt.date.today())

    def set_today(self, today: dt.date) -> None:
        """A new day: days left, views and the reminder are recomputed."""
        self.today = today
        if self._detail is not None and self._desk is not None:
            self._detail.today = today
            self._desk.today = today
        self.apply_filters()
        self.refresh()
        self.update_reminder()

    def refresh(self) -> None:
        current = self.current_request_id()
        self.model.refresh()
        self._update_summary()  # a request logged or closed changes what the view shows
        self._update_counts()
        if current is not None:
            row = self.model.row_of_request(current)
            if row is not None:
                self.table.selectRow(row)
            self.detail.show_request(current)  # the desk follows (detail.shown)

    def _update_counts(self) -> None:
        # Counts per view do not depend on the search: computed on refresh, not per keystroke,
        # and on the worker with the reminder; a newer count supersedes an older one.
        self._count_generation += 1
        generation, today = self._count_generation, self.today
        store, actor = self.store, self.actor
        outcome: list[bool] = []

        def count() -> tuple[dict[View, int], queue.Reminder]:
            return queue.view_counts(store, actor, today), queue.reminders(store, actor, today)

        def counted(result: tuple[dict[View, int], queue.Reminder]) -> None:
            outcome.append(True)
            if generation == self._count_generation:
                self._counted(*result)

        def failed(exc: BaseException) -> None:  # the store was busy: say so, keep the old
            outcome.append(False)
            if generation == self._count_generation:
                self.statusBar().showMessage(user_message(exc))

        def after() -> None:  # a bug (reported on the crash path): still say so here
            if not outcome and generation == self._count_generation:
                self.statusBar().showMessage("The view counts could not be updated.")

        Op(self, count).success(counted).failure(failed).finally_(after).run()

    def _counted(self, counts: dict[View, int], reminder: queue.Reminder) -> None:
        for i in range(self.view_combo.count()):
            view = View(self.view_combo.itemData(i))
            self.view_combo.setItemText(i, f"{VIEW_LABELS[view]} ({counts[view]})")
        self.reminder.show_reminder(reminder)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._search_timer.isActive():  # the typing pause has not ended yet
                    self._search_timer.stop()
                    self.apply_filters()
                if self.model.rowCount() > 0:
                    self.table.setFocus()
                    self.table.setCurrentIndex(self.model.index(0, 0))  # opens it
                    if key != Qt.Key.Key_Down:
                        self._open(self.model.index(0, 0))
                return True
        return super().eventFilter(obj, event)

    def _update_summary(self) -> None:
        shown = self.model.rowCount()
        self.summary.setText(f"{shown} request{'s' if shown != 1 else ''} shown")

    def current_request_id(self) -> int | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        rid = self.model.data(self.model.index(idx.row(), 0), REQUEST_ID_ROLE)
        return int(rid) if rid is not None else None

    def _on_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            self.detail.show_request(self.model.data(current, REQUEST_ID_ROLE))
        else:
            self.desk.show_detail(self.detail.detail)

    def _open(self, index: QModelIndex) -> None:
        detail = self.detail

        def focus_first_action(_d: object) -> None:  # once the request is on screen
            detail.shown.disconnect(focus_first_action)
            for b in detail.buttons.values():
                if b.isVisible():
                    b.setFocus()
                    break

        detail.shown.connect(focus_first_action)
        detail.show_request(self.model.data(index, REQUEST_ID_ROLE))

    def open_drs_wizard(self) -> bool:
        from accessdesk_gui.ui.drs_wizard import DrsWizard

        wizard = DrsWizard(self.store, self.actor, self.today, self)
        if not wizard.exec():
            return False
        if wizard.policy_error:
            QMessageBox.warning(self, "AccessDesk", wizard.policy_error)
        elif wizard.saved is not None and wizard.policy_written is not None:
            self.statusBar().showMessage(
                f"Record set map version {wizard.saved.version} saved; policy written to "
                f"{wizard.policy_written}"
            )
        return True

    def open_settings(self) -> None:
        from accessdesk_gui.ui.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.store, self.actor, self)
        dlg.exec()
        if dlg.store_replaced:  # restored from a backup: start again and log in
            self.close()

    def open_my_queue(self) -> None:
        from accessdesk_gui.ui.denial_dialogs import MyQueueDialog

        dlg = MyQueueDialog(self.store, self.actor, self.today, self)
        dlg.changed.connect(self.refresh)
        dlg.exec()

    def new_request(self) -> int | None:
        from accessdesk_gui.ui.request_form import NewRequestDialog

        self._complete()
        dlg = NewRequestDialog(self.store, self.actor, self.today, self)
        if not dlg.exec() or dlg.request_id is None:
            return None
        self.search.clear()
        self.refresh()
        row = self.model.row_of_request(dlg.request_id)
        if row is not None:
            self.table.selectRow(row)
        self.detail.show_request(dlg.request_id)
        return dlg.request_id

    def print_todays_mail(self) -> MailBatch:
        """Every letter issued and not yet sent, printed as one job (see ui/mail_batch.py)."""
        from accessdesk_gui.ui.mail_batch import MailBatch

        batch = MailBatch(self, self.store, self.actor)
        batch.done.connect(lambda _m: self.refresh())
        batch.start()
        return batch
