"""The ``trustly-nb`` command (also ``python -m trustly_nb``): the tutorial, the emulator, the app.

============================  ==============================================================
``tutorial [DIR] [--no-lab]``  copy the shipped notebooks, cassettes and data into DIR
                               (default ``./trustly-tutorial``), then open JupyterLab there
``emulator [--port P] ...``    the local emulator in the foreground (``--latency-ms``,
                               ``--fail-rate``, ``--seed``)
``record [NOTEBOOK...]``       re-record the cassettes of the tutorial around this folder
``check-cassettes``            re-record into a temporary folder and compare
``app [--port P]``             the "fix a customer" app in Voila
``--version``                  the installed version
============================  ==============================================================

Example:
    $ pip install 'trustly-nb[notebooks]'
    $ trustly-nb tutorial            # copies ./trustly-tutorial and opens JupyterLab
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..version import __version__
from ._servers import lab_command, missing, run_foreground, voila_command
from ._tutorial import MANIFEST, copy_tutorial

__all__ = ["main"]

APP = "fix-a-customer"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``trustly-nb`` with ``argv`` (default: the command line); the exit status.

    Example:
        >>> main(["--version"])
        trustly-nb 0.2.0
        0
    """
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        return command(args)
    except _CommandError as refusal:
        print(str(refusal), file=sys.stderr)
        return 1


class _CommandError(Exception):
    """A command that cannot go on; its message says why and what to do."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustly-nb",
        description="trustly_nb: the Trustly Customers API tutorial, emulator and app.",
    )
    parser.add_argument("--version", action="version", version=f"trustly-nb {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    tutorial = commands.add_parser("tutorial", help="copy the tutorial into DIR and open it")
    tutorial.add_argument("dir", nargs="?", type=Path, default=Path("trustly-tutorial"))
    tutorial.add_argument("--no-lab", action="store_true", help="copy only; do not start it")
    tutorial.add_argument("--force", action="store_true", help="overwrite edited copies")
    tutorial.add_argument("--port", type=int, default=None, help="JupyterLab's port")
    tutorial.set_defaults(run=_tutorial)

    emulator = commands.add_parser(
        "emulator", help="the local emulator (--port, --latency-ms, --fail-rate, --seed)",
        add_help=False, prefix_chars="\0",  # every option goes to the emulator's own parser
    )  # fmt: skip
    emulator.add_argument("options", nargs=argparse.REMAINDER)
    emulator.set_defaults(run=_emulator)

    record = commands.add_parser("record", help="re-record the tutorial's cassettes")
    record.add_argument("names", nargs="*", metavar="NOTEBOOK", help="names or prefixes")
    record.set_defaults(run=_record)

    check = commands.add_parser("check-cassettes", help="do the cassettes match the code?")
    check.set_defaults(run=_check_cassettes)

    app = commands.add_parser("app", help='the "fix a customer" app in Voila')
    app.add_argument("--port", type=int, default=8866)
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")
    app.set_defaults(run=_app)
    return parser


def _source() -> Path:
    from ..recording import shipped

    root = shipped.tutorial_root()
    if root is None:
        raise _CommandError(
            "This installation of trustly_nb ships no tutorial (no trustly_nb/tutorial/ "
            "folder). Reinstall it from a wheel: pip install --force-reinstall trustly-nb"
        )
    return root


def _tutorial(args: argparse.Namespace) -> int:
    target: Path = args.dir.resolve()
    report = copy_tutorial(_source(), target, force=args.force)
    if report.edited and not args.force:
        names = "\n".join(f"  {name}" for name in report.edited)
        raise _CommandError(
            f"Not copying: you changed these files in {target} since they were copied:\n"
            f"{names}\nNothing was written. To overwrite them (your versions are kept as "
            f"<name>.bak), run: trustly-nb tutorial {args.dir} --force"
        )
    print(f"Tutorial in {target}: {len(report.written)} files written, "
          f"{len(report.unchanged)} already up to date (notebooks/, cassettes/, apps/; "
          f"{MANIFEST} remembers what was copied).")  # fmt: skip
    for backup in report.backed_up:
        print(f"  your edited copy was saved as {backup}")
    if args.no_lab:
        print(f"Open it later with: cd {target / 'notebooks'} && jupyter lab")
        return 0
    problem = missing("jupyterlab", "JupyterLab")
    if problem:
        raise _CommandError(problem)
    env = dict(os.environ)
    mode = env.setdefault("TRUSTLY_NB_MODE", "replay")
    print(f"Starting JupyterLab in {target / 'notebooks'} (mode: {mode}; Ctrl-C stops it).")
    return run_foreground(lab_command(target / "notebooks", args.port), cwd=target, env=env)


def _emulator(args: argparse.Namespace) -> int:
    from ..emulator import main as emulator_main

    return emulator_main(args.options)


def _tutorial_around_here() -> Path:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "cassettes").is_dir():
            return folder
    raise _CommandError(
        f"No tutorial (a folder with notebooks/ and cassettes/) in {here} or above it. "
        "Run `trustly-nb tutorial DIR --no-lab`, then `cd DIR` and try again."
    )


def _record(args: argparse.Namespace) -> int:
    from ..recording import notebooks

    problem = missing("nbclient", "nbclient (the notebook runner)")
    if problem:
        raise _CommandError(problem)
    root = _tutorial_around_here()
    print(f"Recording {root}/notebooks and {root}/apps against {notebooks.recording_target()}.")
    status = notebooks.run_all(root, mode="record", names=args.names)
    print(f"Cassettes written to {root / 'cassettes'}." if status == 0 else "Some failed.")
    return status


def _check_cassettes(args: argparse.Namespace) -> int:
    from ..recording import check_cassettes

    problem = missing("nbclient", "nbclient (the notebook runner)")
    if problem:
        raise _CommandError(problem)
    checks = check_cassettes(root=_tutorial_around_here())
    for verdict in checks:
        print(verdict)
    problems = [verdict for verdict in checks if not verdict.ok]
    if problems:
        print(f"{len(problems)} stale or broken cassette(s): re-record with `trustly-nb record`.")
        return 1
    print(f"All {len(checks)} cassettes match what the notebooks and the emulator do today.")
    return 0


def _app(args: argparse.Namespace) -> int:
    problem = missing("voila", "Voila")
    if problem:
        raise _CommandError(problem)
    notebook = _source() / "apps" / f"{APP}.ipynb"
    env = dict(os.environ)
    mode = env.setdefault("TRUSTLY_NB_MODE", "replay")
    print(f"Serving {notebook} with Voila on http://127.0.0.1:{args.port}/ (mode: {mode}; "
          "Ctrl-C stops it).", flush=True)  # fmt: skip
    command = voila_command(notebook, args.port, open_browser=not args.no_browser)
    return run_foreground(command, cwd=notebook.parent, env=env)
