"""drs commands (the designated record set map and its policy) and the request checklist.

accessdesk drs show [--version N] [--json]
accessdesk drs versions [--json]
accessdesk drs policy --out FILE.pdf [--version N]
accessdesk drs import FILE.json [--effective DATE] [--accept-gaps]
accessdesk request checklist ID [--categories CODES] [--from DATE] [--to DATE] [--json]
accessdesk request check-off ID --item N [--date DATE] [--note TEXT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, date_arg, emit, group, login, open_store


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    grp = sub.add_parser("drs", help="the designated record set map").add_subparsers(metavar="SUB")
    show = grp.add_parser("show", parents=[common], help="the map in force (or a version)")
    show.add_argument("--version", type=int, help="a given version instead of the one in force")
    show.add_argument("--as-of", type=date_arg, help="the map in force on this date")
    show.set_defaults(handler=cmd_drs_show)

    versions = grp.add_parser("versions", parents=[common], help="every version kept")
    versions.set_defaults(handler=cmd_drs_versions)

    pol = grp.add_parser("policy", parents=[common], help="write the DRS policy as a PDF")
    pol.add_argument("--out", required=True, type=Path, help="PDF file to write")
    pol.add_argument("--version", type=int, help="a given version instead of the one in force")
    pol.set_defaults(handler=cmd_drs_policy)

    imp = grp.add_parser("import", parents=[common], help="save a map from JSON as a new version")
    imp.add_argument("file", type=Path, help="JSON as printed by 'drs show --json' (its 'map')")
    imp.add_argument("--effective", type=date_arg, help="in effect from (default: the file's)")
    imp.add_argument(
        "--accept-gaps", action="store_true", help="save even though the review finds gaps"
    )
    imp.set_defaults(handler=cmd_drs_import)

    # Onto the existing 'request' group (registered before this module).
    req = group(sub, "request", "access requests")
    cl = req.add_parser("checklist", parents=[common], help="a request's collection checklist")
    cl.add_argument("id", type=int)
    cl.add_argument("--categories", help="rebuild for these category codes (comma-separated) only")
    cl.add_argument("--from", dest="start", type=date_arg, help="rebuild: dates of service from")
    cl.add_argument("--to", dest="end", type=date_arg, help="rebuild: dates of service to")
    cl.add_argument("--whole", action="store_true", help="rebuild for the whole record set")
    cl.set_defaults(handler=cmd_request_checklist)

    co = req.add_parser("check-off", parents=[common], help="check off a checklist item")
    co.add_argument("id", type=int)
    co.add_argument("--item", required=True, type=int, help="item id from 'request checklist'")
    co.add_argument("--date", type=date_arg, help="collected on (default today)")
    co.add_argument("--note", default="")
    co.set_defaults(handler=cmd_request_check_off)


def _version(args: argparse.Namespace, store: Any, actor: Any) -> Any:
    from accessdesk_gui.services import drs

    if getattr(args, "version", None) is not None:
        return drs.get_version(store, actor, args.version)
    stored = drs.map_in_force(store, actor, getattr(args, "as_of", None))
    if stored is None:
        raise CliError("There is no record set map yet; save one with 'accessdesk drs import'.")
    return stored


def map_json(stored: Any) -> dict[str, Any]:
    """The map as people read it: in and out with rationale, exceptions, mapping."""
    from accessdesk_gui.domain import drs as d

    m = stored.map
    gaps = d.review(m)

    def cat(c: Any) -> dict[str, Any]:
        return {
            "code": c.code,
            "title": c.title,
            "group": c.group.value,
            "rationale": c.rationale,
            "systems": [h.system for h in m.holdings_of(c.code)],
        }

    return {
        **stored.to_json(),
        "practice": m.practice,
        "responsibilities": d.to_dict(m)["responsibilities"],
        "systems": d.to_dict(m)["systems"],
        "categories_in": [
            cat(c) for c in m.categories if c.in_drs and c.exception is d.AccessException.NONE
        ],
        "categories_out": [cat(c) for c in m.categories if not c.in_drs],
        "exceptions": [
            {
                **cat(c),
                "exception": c.exception.value,
                "kept_separate": c.kept_separate,
                "exception_holds": c.exception_holds,
            }
            for c in m.categories
            if c.exception is not d.AccessException.NONE
        ],
        "mapping": d.to_dict(m)["holdings"],
        "gaps": [
            {"code": g.code.value, "refers_to": g.refers_to, "message": g.message} for g in gaps
        ],
        # The full map, in the form 'drs import' reads.
        "map": d.to_dict(m),
    }


def cmd_drs_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    actor = login(args, store)
    stored = _version(args, store, actor)
    data = map_json(stored)
    m = stored.map
    lines = [
        f"{m.practice}: record set map version {m.version}, in effect from {m.effective}",
        f"Access requests: {', '.join(m.responsibilities.access_titles) or '(none named)'}",
        "Systems:",
        *[
            f"  {s.id:<10} {s.name}"
            + (f" (kept by {s.business_associate.name})" if s.business_associate else "")
            for s in m.systems
        ],
        "In the record set:",
        *[
            f"  {c['title']}: {', '.join(c['systems']) or 'NOT MAPPED'}"
            for c in data["categories_in"]
        ],
        "Outside it:",
        *[f"  {c['title']}: {c['rationale']}" for c in data["categories_out"]],
        "Access exceptions:",
        *[f"  {c['title']}: {', '.join(c['systems'])}" for c in data["exceptions"]],
        f"Gaps: {len(data['gaps'])}",
        *[f"  - {g['message']}" for g in data["gaps"]],
    ]
    emit(args, data, "\n".join(lines))
    return 0


def cmd_drs_versions(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import drs

    store = open_store(args)
    actor = login(args, store)
    rows = drs.list_versions(store, actor)
    lines = [
        f"v{v.version}  from {v.map.effective}  saved by {v.saved_by}  "
        + (
            f"last in effect {v.last_in_effect}, keep until {v.retain_until}"
            if v.last_in_effect
            else "latest version"
        )
        for v in rows
    ]
    emit(args, [v.to_json() for v in rows], "\n".join(lines) or "No versions yet.")
    return 0


def policy_bytes(store: Any, actor: Any, stored: Any) -> bytes:
    """The policy PDF for a stored version, with the practice's letterhead."""
    from accessdesk_gui.domain.drs import review
    from accessdesk_gui.letters.drs_policy import letterhead_of, render_policy
    from accessdesk_gui.services import practice

    info = practice.get_practice(store)
    return render_policy(
        stored.map,
        letterhead_of(info.name, info.address, info.phone),
        review(stored.map),
        stored.saved_by,
        last_in_effect=stored.last_in_effect,
    )


def cmd_drs_policy(args: argparse.Namespace) -> int:
    store = open_store(args)
    actor = login(args, store)
    stored = _version(args, store, actor)
    pdf = policy_bytes(store, actor, stored)
    try:
        args.out.write_bytes(pdf)
    except OSError as exc:
        raise CliError(f"Could not write {args.out}: {exc.strerror}") from None
    emit(
        args,
        {"version": stored.version, "out": str(args.out), "bytes": len(pdf)},
        f"Wrote the policy for version {stored.version} to {args.out}",
    )
    return 0


def cmd_drs_import(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import drs

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"Could not read {args.file}: {exc.strerror}") from None
    except ValueError as exc:
        raise CliError(f"{args.file} is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("map"), dict):
        data = data["map"]  # the output of 'drs show --json'
    if not isinstance(data, dict):
        raise CliError(f"{args.file} does not hold a record set map.")
    store = open_store(args)
    actor = login(args, store)
    stored = drs.import_map(store, actor, data, args.effective, accept_gaps=args.accept_gaps)
    emit(
        args,
        stored.to_json(),
        f"Saved record set map version {stored.version}, in effect from {stored.map.effective}",
    )
    return 0


def cmd_request_checklist(args: argparse.Namespace) -> int:
    from accessdesk_gui.domain.drs import Scope
    from accessdesk_gui.services import drs

    store = open_store(args)
    actor = login(args, store)
    if args.categories or args.start or args.end or args.whole:
        codes = None
        if args.categories:
            codes = frozenset(c.strip() for c in args.categories.split(",") if c.strip())
        cl = drs.build_request_checklist(store, actor, args.id, Scope(codes, args.start, args.end))
    else:
        cl = drs.request_checklist(store, actor, args.id)
    lines = [
        f"Request {cl.request_id}: map version {cl.map_version or '(none)'}; "
        f"{len(cl.open_items)} of {len(cl.items)} items open"
    ]
    for i in cl.items:
        mark = "x" if i.done else " "
        line = f"  [{mark}] {i.id:>5}  {i.category_title} — {i.system_name}: {i.action.value}"
        if i.business_associate:
            line += f"; ask {i.business_associate}" + (f" by {i.due_by}" if i.due_by else "")
        if i.done:
            line += f" (done {i.done_on} by {i.done_by})"
        lines.append(line)
    emit(args, cl.to_json(), "\n".join(lines))
    return 0


def cmd_request_check_off(args: argparse.Namespace) -> int:
    from accessdesk_gui.services import drs

    store = open_store(args)
    actor = login(args, store)
    on = args.date or dt.date.today()
    drs.check_off(store, actor, args.item, on, args.note, request_id=args.id)
    emit(
        args,
        {"id": args.id, "item": args.item, "done_on": on.isoformat()},
        f"Request {args.id}: item {args.item} checked off on {on}",
    )
    return 0
