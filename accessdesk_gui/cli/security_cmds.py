"""key, backup, restore, audit report, account and settings commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import (
    CliError,
    date_arg,
    emit,
    group,
    opt,
    password,
    store_and_actor,
)

RECOVERY_ENV = "ACCESSDESK_RECOVERY_KEY"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    key = sub.add_parser("key", help="the store's encryption key").add_subparsers(metavar="SUB")
    sheet = key.add_parser(
        "recovery-sheet",
        parents=[common],
        help="print the recovery sheet (privacy officer): the key in a form you can type back",
    )
    sheet.add_argument("--out", type=Path, help="write a PDF (or .txt) instead of printing")
    sheet.set_defaults(handler=cmd_key_sheet)
    kr = key.add_parser(
        "restore",
        parents=[common],
        help=f"put the key from a recovery sheet into this PC's keyring (typed, or {RECOVERY_ENV})",
    )
    kr.set_defaults(handler=cmd_key_restore)

    b = sub.add_parser("backup", parents=[common], help="take an encrypted, checked backup now")
    b.add_argument("--to", type=Path, help="folder (default: the practice's backup folder)")
    b.set_defaults(handler=cmd_backup)
    r = sub.add_parser(
        "restore", parents=[common], help="replace the store with a backup, after checking it"
    )
    r.add_argument("file", type=Path)
    r.set_defaults(handler=cmd_restore)

    settings = group(sub, "settings", "practice settings")
    bf = settings.add_parser("backup-folder", parents=[common], help="set the backup folder")
    bf.add_argument("folder", type=Path)
    bf.set_defaults(handler=cmd_backup_folder)
    lm = settings.add_parser(
        "lock-minutes", parents=[common], help="minutes of inactivity before the screen locks"
    )
    lm.add_argument("minutes", type=int)
    lm.set_defaults(handler=cmd_lock_minutes)

    acct = sub.add_parser("account", help="passwords and locked accounts").add_subparsers(
        metavar="SUB"
    )
    un = acct.add_parser("unlock", parents=[common], help="let a waiting account log in again")
    un.add_argument("username")
    un.set_defaults(handler=cmd_unlock)
    pw = acct.add_parser(
        "password",
        parents=[common],
        help="change your password (new one from ACCESSDESK_NEW_PASSWORD or a prompt)",
    )
    pw.set_defaults(handler=cmd_password)
    rs = acct.add_parser(
        "reset", parents=[common], help="set another user's password (privacy officer)"
    )
    rs.add_argument("username")
    rs.set_defaults(handler=cmd_reset)

    rep = sub.add_parser(
        "audit-report", parents=[common], help="audit entries by user, patient and dates, as CSV"
    )
    rep.add_argument("--by-user", dest="by_user")
    rep.add_argument("--patient")
    rep.add_argument("--from", dest="start", type=date_arg)
    rep.add_argument("--to", dest="end", type=date_arg)
    rep.add_argument("--out", type=Path, required=True, help="file to write: .csv or .pdf")
    rep.set_defaults(handler=cmd_audit_report)


def _db(args: argparse.Namespace) -> Path:
    from accessdesk_gui.services.workspace import store_path

    return store_path(opt(args, "db"))


def cmd_key_sheet(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import keysheet

    store, actor = store_and_actor(args)
    actor.require(Role.PRIVACY_OFFICER, "print the recovery sheet")
    out = opt(args, "out")
    text = keysheet.sheet_text(store, actor)
    if out is None:
        print(text)
        return 0
    if out.suffix.lower() == ".pdf":
        write_sheet_pdf(text, out)
    else:
        out.write_text(text + "\n", encoding="utf-8")
    emit(args, {"sheet": str(out)}, f"Recovery sheet written to {out}. Print it, lock it away.")
    return 0


def cmd_key_restore(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import keysheet

    path = _db(args)
    typed = os.environ.get(RECOVERY_ENV)
    if typed is None:
        if not sys.stdin.isatty():
            raise CliError(f"No key: set {RECOVERY_ENV} or run in a terminal to type it.")
        typed = input("Type the recovery key from the sheet (spaces do not matter): ")
    keysheet.restore_key(path, typed)
    emit(args, {"store": str(path)}, f"Key saved in this PC's keyring for {path}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import backups

    store, actor = store_and_actor(args)
    info = backups.backup(store, actor, opt(args, "to"))
    emit(
        args,
        {"file": str(info.path), "audit_entries": info.entries, "audit_head": info.head_hash},
        f"Backup written and checked: {info.path} ({info.entries} audit entries)",
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.roles import Role
    from accessdesk_gui.services import backups, workspace

    path = _db(args)
    username = opt(args, "user") or "restore"
    actor = None
    if path.exists():
        # Replacing a store is the privacy officer's decision, checked on the store itself.
        with workspace.open_workspace(path, check=False) as ws:
            actor = ws.login(username, password(f"Password for {username}: "))
            actor.require(Role.PRIVACY_OFFICER, "restore a backup")
    res = backups.restore(path, args.file, username, actor=actor, lock_as=username)
    emit(
        args,
        {
            "store": str(res.restored),
            "from": str(res.from_backup),
            "previous_store_kept_at": str(res.safety_copy) if res.safety_copy else None,
            "audit_entries": res.entries,
        },
        f"Restored {res.restored} from {res.from_backup} (checked: {res.entries} audit entries)."
        + (f" The replaced store was kept at {res.safety_copy}." if res.safety_copy else ""),
    )
    return 0


def cmd_backup_folder(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import backups

    store, actor = store_and_actor(args)
    folder = backups.set_backup_folder(store, actor, args.folder.resolve())
    emit(args, {"backup_folder": str(folder)}, f"Backups will go to {folder}")
    return 0


def cmd_lock_minutes(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import backups, session

    if not 1 <= args.minutes <= 120:
        raise CliError("Lock after 1 to 120 minutes of inactivity.")
    store, actor = store_and_actor(args)
    backups.set_setting(store, actor, session.LOCK_MINUTES, str(args.minutes))
    emit(args, {"lock_minutes": args.minutes}, f"The screen locks after {args.minutes} minutes")
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import accounts

    store, actor = store_and_actor(args)
    accounts.unlock(store, actor, args.username)
    emit(args, {"unlocked": args.username}, f"{args.username} may log in again")
    return 0


def cmd_password(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import accounts

    store, actor = store_and_actor(args)
    new = password("New password: ", "ACCESSDESK_NEW_PASSWORD")
    accounts.change_password(store, actor, password("Current password: "), new)
    emit(args, {"changed": actor.username}, "Password changed")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import accounts

    store, actor = store_and_actor(args)
    new = password(f"New password for {args.username}: ", "ACCESSDESK_NEW_PASSWORD")
    accounts.reset_password(store, actor, args.username, new)
    emit(args, {"reset": args.username}, f"Password of {args.username} reset")
    return 0


def cmd_audit_report(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import audit_service

    store, actor = store_and_actor(args)
    rep = audit_service.report(
        store,
        actor,
        username=opt(args, "by_user"),
        patient=opt(args, "patient"),
        start=opt(args, "start"),
        end=opt(args, "end"),
    )
    if args.out.suffix.lower() == ".pdf":
        write_report_pdf(rep, args.out)
    else:
        audit_service.write_csv(rep, args.out)
    emit(
        args,
        {"file": str(args.out), "rows": len(rep.rows), "chain_ok": rep.chain_ok},
        f"{len(rep.rows)} entries written to {args.out} (audit chain "
        f"{'intact' if rep.chain_ok else 'BROKEN'}, {rep.entries} entries)",
    )
    return 0


def write_sheet_pdf(text: str, out: Path) -> Path:
    """One page; metadata carries no patient or key data."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    tmp = out.with_name(f".{out.name}.partial")
    c = Canvas(str(tmp), pagesize=letter, invariant=True)
    c.setTitle("AccessDesk recovery sheet")
    c.setAuthor("AccessDesk")
    c.setSubject("")
    c.setKeywords("")
    import re

    key_line = re.compile(r"^    [A-Z2-7]{4}( [A-Z2-7]{4})*$")
    y = letter[1] - 72
    for i, line in enumerate(text.splitlines()):
        is_key = bool(key_line.match(line))
        if i == 0:
            c.setFont("Helvetica-Bold", 14)
        elif is_key:
            c.setFont("Courier-Bold", 16)
        else:
            c.setFont("Helvetica", 11)
        c.drawString(60, y, line)
        y -= 24 if is_key else 16
    c.showPage()
    c.save()
    tmp.replace(out)
    return out


def write_report_pdf(rep: Any, out: Path) -> Path:
    """The audit report as a PDF table; metadata names no patient; written whole or not."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from accessdesk_gui.letters.fonts import FAMILY, markup, register_fonts

    register_fonts()
    body = FAMILY
    styles = getSampleStyleSheet()
    for st in styles.byName.values():
        st.fontName = body
    cell = styles["Normal"].clone("cell", fontName=body, fontSize=8, leading=10)
    tmp = out.with_name(f".{out.name}.partial")
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=landscape(letter),
        title="AccessDesk audit report",
        author="AccessDesk",
        subject="",
        keywords="",
        invariant=True,
    )
    head = ["#", "Recorded (UTC)", "Happened", "User", "Action", "Record", "Patient"]
    data = [head] + [
        [
            r.seq,
            r.recorded_at[:19],
            r.event_at[:19],
            r.username,
            r.action,
            f"{r.entity} {r.entity_id}",
            Paragraph(markup(r.patient_name), cell),
        ]
        for r in rep.rows
    ]
    table = Table(data, repeatRows=1, colWidths=[28, 96, 96, 66, 112, 130, 140])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), body),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    summary = (
        f"Audit trail: {rep.entries} entries, head hash {rep.head_hash}, "
        f"{'intact' if rep.chain_ok else 'BROKEN - run accessdesk audit verify'}. "
        f"{len(rep.rows)} entries shown. This report contains patient names: keep it private."
    )
    try:
        doc.build(
            [
                Paragraph("AccessDesk audit report", styles["Title"]),
                Paragraph(summary, styles["Normal"]),
                table,
            ]
        )
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
