"""`accessdesk selftest`: a hidden check that an installed or frozen build is complete.

It needs no store and no user. It finds the migrations and resources through
importlib.resources, loads the keyring backends that ship, and renders one fictional
sample letter (with a CJK name, so both bundled fonts load) into a PDF it then checks.
The installer's smoke test runs it against the frozen bundle.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from accessdesk_gui.cli.common import CliError, emit

# Built-in backends the bundle must carry; which of them works depends on the OS.
KEYRING_BACKENDS = ("SecretService", "Windows", "macOS")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    # No help= on purpose: the command is for builders, not listed in `accessdesk --help`.
    st = sub.add_parser("selftest", parents=[common])
    st.add_argument("--out", type=Path, required=True, help="where to write the sample PDF")
    st.set_defaults(handler=cmd_selftest)


def cmd_selftest(args: argparse.Namespace) -> int:
    from accessdesk_gui.about import version

    report: dict[str, Any] = {"version": version()}
    report.update(_check_files())
    report["keyring_backends"] = _check_keyring()
    report.update(_check_letter(args.out))
    emit(args, report, "\n".join(f"{k}: {v}" for k, v in report.items()))
    return 0


def _check_files() -> dict[str, str]:
    from accessdesk_gui.resources_path import migrations_dir, resource_dir

    mig, res = migrations_dir(), resource_dir()
    needed = [
        mig / "env.py",
        mig / "script.py.mako",
        mig / "versions",
        res / "fonts" / "DejaVuSans.ttf",
        res / "fonts" / "DroidSansFallback.ttf",
        res / "icons" / "accessdesk-256.png",
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise CliError(f"selftest: missing bundled files: {', '.join(missing)}")
    if not any(mig.joinpath("versions").glob("*.py")):
        raise CliError(f"selftest: no migration scripts in {mig / 'versions'}")
    return {"migrations": str(mig), "resources": str(res)}


def _check_keyring() -> list[str]:
    from importlib.metadata import entry_points

    eps = {ep.name: ep for ep in entry_points(group="keyring.backends")}
    missing = [name for name in KEYRING_BACKENDS if name not in eps]
    if missing:
        raise CliError(f"selftest: keyring backends not shipped: {', '.join(missing)}")
    for name in KEYRING_BACKENDS:
        eps[name].load()  # imports the module; raises if it was left out of the build
    return sorted(eps)


def _check_letter(out: Path) -> dict[str, Any]:
    from accessdesk_gui.letters import LetterKind, render_letter
    from accessdesk_gui.letters.samples import sample_letter

    data = sample_letter(LetterKind.ACKNOWLEDGEMENT, patient_name="李 Zoë Nguyễn-O'Brien")
    pdf = render_letter(data)
    out.write_bytes(pdf)
    if not pdf.startswith(b"%PDF-"):
        raise CliError("selftest: the letter is not a PDF")
    fonts = sorted({m.decode() for m in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", pdf)})
    for face in ("DejaVuSans", "DroidSansFallback"):
        if face not in fonts:
            raise CliError(f"selftest: font {face} not embedded in the sample letter ({fonts})")
    return {"letter": str(out), "letter_bytes": len(pdf), "fonts": fonts}
