"""Synthesize into a temporary folder and swap it in only when synthesis succeeded.

A failed synth must leave the previous cdktf.out/ exactly as it was, so the app is
built and synthesized next to it first. On success the old tree is replaced, keeping
each stack's Terraform working files (``.terraform/``, ``.terraform.lock.hcl``) so a
synth does not force ``terraform init`` to fetch providers again. They are moved, not
copied: ``.terraform/`` holds the AWS provider binary (~675 MB for 5.100.0) and
``cdktf diff``/``deploy`` synthesize before every run.

One synth at a time per output folder: overlapping synths racing on the final renames
failed with ENOTEMPTY and leaked staging folders, so the whole synth holds an advisory
lock (``flock``; the kernel drops it when the process dies, even on SIGKILL). Whoever
holds it first removes staging and retired folders that dead synths left behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

# Created by terraform init/plan inside cdktf.out/stacks/<stack>/, not by synthesis.
TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl")


class SynthBusy(Exception):
    """Another process is synthesizing into the same output folder."""


def synth_atomically(synthesize: Callable[[str], None], outdir: Path) -> list[str]:
    """Call ``synthesize(tmpdir)``; on success make ``tmpdir`` the new ``outdir``.

    Returns notes for the user (leftovers that could not be deleted); raises
    :class:`SynthBusy` when another synth holds ``outdir``.
    """
    outdir = Path(outdir).absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(outdir):
        notes = [_remove(leftover) for leftover in _leftovers(outdir)]
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; the output is an ordinary folder
        try:
            synthesize(str(staging))
            _move_working_files(outdir, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        retired = None
        if outdir.exists():
            retired = outdir.parent / f".{outdir.name}.old-{os.getpid()}"
            outdir.rename(retired)
        try:
            staging.rename(outdir)
        except BaseException:
            if retired is not None:
                retired.rename(outdir)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if retired is not None:
            notes.append(_remove(retired))
    return [note for note in notes if note]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lock_path(outdir: Path) -> Path:
    return outdir.parent / f".{outdir.name}.lock"


@contextmanager
def _exclusive(outdir: Path) -> Iterator[None]:
    """Hold the output folder's lock, or raise SynthBusy naming the holder's pid.

    The lock file is deleted on release. Between our open and our flock the previous
    holder may have deleted it, so we check the locked file is still the one at the path.
    """
    path = lock_path(outdir)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SynthBusy(
                f"another synth is running into {outdir} (pid {holder}); wait for it to finish, "
                "or set CDKTF_OUTDIR to another folder") from None
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.unlink(path)
        os.close(fd)


def _leftovers(outdir: Path) -> list[Path]:
    """Staging and retired folders of earlier synths. Only called with the lock held, so
    none of them belongs to a synth that is still running."""
    return sorted([*outdir.parent.glob(f".{outdir.name}.new-*"), *outdir.parent.glob(f".{outdir.name}.old-*")])


def _remove(folder: Path) -> str:
    """Delete ``folder``; if that fails, a note saying what is left and why ('' if gone)."""
    failures: list[str] = []
    # onerror, not onexc: Python 3.11 (onexc arrived in 3.12).
    shutil.rmtree(folder, onerror=lambda _f, path, info: failures.append(f"{path}: {getattr(info[1], 'strerror', info[1])}"))
    if not folder.exists():
        return ""
    return f"could not delete {folder} ({failures[0] if failures else 'unknown reason'}); delete it by hand"


def _move_working_files(old: Path, new: Path) -> None:
    """Move each stack's working files from ``old`` into ``new`` (one folder, so a rename).

    If a move fails, the ones already made are undone: the previous output stays whole.
    """
    old_stacks, new_stacks = old / "stacks", new / "stacks"
    if not old_stacks.is_dir() or not new_stacks.is_dir():
        return
    moved: list[tuple[Path, Path]] = []
    try:
        for stack_dir in sorted(new_stacks.iterdir()):
            for name in TERRAFORM_WORKING_FILES:
                previous = old_stacks / stack_dir.name / name
                if previous.exists() or previous.is_symlink():
                    target = stack_dir / name
                    previous.rename(target)
                    moved.append((previous, target))
    except BaseException:
        for previous, target in reversed(moved):
            target.rename(previous)
        raise
