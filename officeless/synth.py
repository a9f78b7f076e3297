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

A kill at any moment leaves a complete output with its working files (issue #28): the working
files are hard-linked into the new tree (no data copied, the old tree keeps them), then the two
trees change places in one atomic step (``renameat2`` with ``RENAME_EXCHANGE``, Linux >= 3.15).
Where the kernel or file system cannot exchange, the new tree is first renamed ``.ready-*``
(complete), and a synth that finds no output but a ready or retired tree puts it back first.
"""

from __future__ import annotations

import ctypes
import errno
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
        notes = _recover(outdir)
        staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; the output is an ordinary folder
        try:
            synthesize(str(staging))
            _link_working_files(outdir, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _step("linked")
        retired = outdir.parent / f".{outdir.name}.old-{os.getpid()}"
        if outdir.is_dir() and not outdir.is_symlink() and _exchange(staging, outdir):
            _step("exchanged")
            staging.rename(retired)  # the old tree, now at the staging path
        else:
            ready = outdir.parent / f".{outdir.name}.ready-{os.getpid()}"
            staging.rename(ready)
            _step("ready")
            if os.path.lexists(outdir):
                outdir.rename(retired)
                _step("retired")
            ready.rename(outdir)
        _step("swapped")
        if os.path.lexists(retired):
            notes.append(_remove(retired))
    return [note for note in notes if note]


def _step(name: str) -> None:
    """A point between two moves of the swap: tests kill the process here (tests/test_synth_atomic.py)."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically; False where the kernel or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(b))


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2  # <fcntl.h>, <linux/fs.h>


def _recover(outdir: Path) -> list[str]:
    """With the lock held: put back an output a killed synth left without one (the newest ready
    tree, else the newest retired one), then delete every other leftover."""
    def newest(pattern: str) -> list[Path]:
        return sorted(outdir.parent.glob(pattern), key=lambda p: p.lstat().st_mtime, reverse=True)

    if not os.path.lexists(outdir):
        found = newest(f".{outdir.name}.ready-*") or newest(f".{outdir.name}.old-*")
        if found:
            found[0].rename(outdir)
    return [_remove(leftover) for leftover in _leftovers(outdir)]


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
    """Staging, ready and retired trees of earlier synths. Only called with the lock held, so
    none of them belongs to a synth that is still running."""
    return sorted(p for kind in ("new", "ready", "old") for p in outdir.parent.glob(f".{outdir.name}.{kind}-*"))


def _remove(folder: Path) -> str:
    """Delete ``folder`` (or a file or link where an output was); if that fails, a note saying what
    is left and why ('' if gone)."""
    if folder.is_symlink() or folder.is_file():
        try:
            folder.unlink()
        except OSError as exc:
            return f"could not delete {folder} ({exc.strerror}); delete it by hand"
        return ""
    failures: list[str] = []
    # onerror, not onexc: Python 3.11 (onexc arrived in 3.12).
    shutil.rmtree(folder, onerror=lambda _f, path, info: failures.append(f"{path}: {getattr(info[1], 'strerror', info[1])}"))
    if not folder.exists():
        return ""
    return f"could not delete {folder} ({failures[0] if failures else 'unknown reason'}); delete it by hand"


def _link_working_files(old: Path, new: Path) -> None:
    """Hard-link each stack's working files from ``old`` into ``new``: the same files (the provider
    binary is hundreds of MB), in both trees until the old one is deleted, so a kill at any moment
    leaves them in whichever tree is the output. Symbolic links are recreated as links. A failure
    raises; ``new`` is then discarded and ``old`` was never changed."""
    old_stacks, new_stacks = old / "stacks", new / "stacks"
    if not old_stacks.is_dir() or not new_stacks.is_dir():
        return
    for stack_dir in sorted(new_stacks.iterdir()):
        for name in TERRAFORM_WORKING_FILES:
            source, target = old_stacks / stack_dir.name / name, stack_dir / name
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            elif source.is_dir():
                shutil.copytree(source, target, symlinks=True, copy_function=os.link)
            elif source.exists():
                os.link(source, target)
