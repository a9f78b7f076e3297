"""Synthesize into a temporary folder and swap it in only when synthesis succeeded.

A failed synth must leave the previous cdktf.out/ exactly as it was, so the app is
built and synthesized next to it first. On success the old tree is replaced, keeping
each stack's Terraform working files (``.terraform/``, ``.terraform.lock.hcl``) so a
synth does not force ``terraform init`` to fetch providers again. They are moved, not
copied: ``.terraform/`` holds the AWS provider binary (~675 MB for 5.100.0) and
``cdktf diff``/``deploy`` synthesize before every run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

# Created by terraform init/plan inside cdktf.out/stacks/<stack>/, not by synthesis.
TERRAFORM_WORKING_FILES = (".terraform", ".terraform.lock.hcl")


def synth_atomically(synthesize: Callable[[str], None], outdir: Path) -> None:
    """Call ``synthesize(tmpdir)``; on success make ``tmpdir`` the new ``outdir``."""
    outdir = Path(outdir).absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
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
    staging.rename(outdir)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


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
