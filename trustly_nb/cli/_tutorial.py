"""``trustly-nb tutorial``: copy the shipped tutorial into a folder the user owns.

A manifest (``.trustly-tutorial.json``) remembers what each copied file held, so a second
run can tell a file the user changed (kept unless ``--force``, then saved aside as
``<name>.bak``) from one that is simply older than the installed version (updated).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..recording import shipped
from ..version import __version__

MANIFEST = ".trustly-tutorial.json"
_SKIP = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class CopyReport:
    """What a copy did: files written, already up to date, and edited ones left alone."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    backed_up: list[str] = field(default_factory=list)


def shipped_files(source: Path) -> dict[str, Path]:
    """The tutorial's files under ``source``, by their path relative to it (POSIX style)."""
    files: dict[str, Path] = {}
    for part in shipped.PARTS:
        folder = source / part
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(source)
            if path.is_file() and not _SKIP.intersection(relative.parts):
                files[relative.as_posix()] = path
    return files


def copy_tutorial(source: Path, target: Path, *, force: bool = False) -> CopyReport:
    """Copy the tutorial from ``source`` into ``target``; edited copies are kept unless ``force``.

    When any file the user edited would be overwritten and ``force`` is false, nothing at all
    is written (``report.edited`` names them), so the folder is never half-updated.
    """
    files = shipped_files(source)
    manifest = _read_manifest(target)
    report = CopyReport()
    plan: list[tuple[str, Path]] = []
    for relative, path in files.items():
        existing = target / relative
        if not existing.exists():
            plan.append((relative, path))
            continue
        current = _digest(existing)
        if current == _digest(path):
            report.unchanged.append(relative)
        elif manifest.get(relative) == current:
            plan.append((relative, path))  # as we left it: an older version, safe to update
        else:
            report.edited.append(relative)
            plan.append((relative, path))
    if report.edited and not force:
        return report
    for relative, path in plan:
        destination = target / relative
        if relative in report.edited:
            backup = destination.with_name(destination.name + ".bak")
            shutil.copy2(destination, backup)
            report.backed_up.append(backup.relative_to(target).as_posix())
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        report.written.append(relative)
    _write_manifest(target, {relative: _digest(path) for relative, path in files.items()})
    return report


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write_manifest(target: Path, files: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    data = {"trustly_nb": __version__, "files": files}
    (target / MANIFEST).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
