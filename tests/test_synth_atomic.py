"""A failed synth leaves the previous cdktf.out/ as it was; a good one keeps Terraform's working files."""

from __future__ import annotations

from pathlib import Path

import pytest

from officeless.synth import synth_atomically
from tests.test_config_errors import previous_output, tree_digest


def test_failure_during_synthesis_keeps_previous_output(tmp_path):
    outdir = previous_output(tmp_path)
    before = tree_digest(tmp_path)

    def half_done(staging: str) -> None:
        (Path(staging) / "stacks").mkdir()
        (Path(staging) / "manifest.json").write_text("{}")
        raise RuntimeError("construct validation failed")

    with pytest.raises(RuntimeError, match="construct validation failed"):
        synth_atomically(half_done, outdir)
    assert tree_digest(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]


def test_success_replaces_output_and_keeps_terraform_working_files(tmp_path):
    outdir = previous_output(tmp_path)
    old_stack = outdir / "stacks" / "01-vpc"
    (old_stack / ".terraform" / "providers").mkdir(parents=True)
    (old_stack / ".terraform" / "providers" / "marker").write_text("provider")
    (old_stack / ".terraform.lock.hcl").write_text("lock")
    (outdir / "stacks" / "removed-stack").mkdir()
    providers_inode = (old_stack / ".terraform" / "providers" / "marker").stat().st_ino

    def synthesize(staging: str) -> None:
        stack = Path(staging) / "stacks" / "01-vpc"
        stack.mkdir(parents=True)
        (stack / "cdk.tf.json").write_text('{"new": true}')
        (Path(staging) / "manifest.json").write_text('{"new": true}')

    synth_atomically(synthesize, outdir)
    assert (outdir / "manifest.json").read_text() == '{"new": true}'
    assert (old_stack / "cdk.tf.json").read_text() == '{"new": true}'
    assert (old_stack / ".terraform" / "providers" / "marker").read_text() == "provider"
    assert (old_stack / ".terraform.lock.hcl").read_text() == "lock"
    # Moved, not copied: the same file (a provider binary is hundreds of MB).
    assert (old_stack / ".terraform" / "providers" / "marker").stat().st_ino == providers_inode
    assert not (outdir / "stacks" / "removed-stack").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]


def test_failed_move_of_working_files_puts_back_what_it_moved(tmp_path):
    outdir = previous_output(tmp_path)
    for stack in ("01-vpc", "02-eks"):
        (outdir / "stacks" / stack / ".terraform").mkdir(parents=True)
        (outdir / "stacks" / stack / ".terraform" / "marker").write_text(stack)
    before = tree_digest(tmp_path)

    def synthesize(staging: str) -> None:
        for stack in ("01-vpc", "02-eks"):
            (Path(staging) / "stacks" / stack).mkdir(parents=True)
        # A non-empty folder where 02-eks's .terraform must go: that rename fails.
        (Path(staging) / "stacks" / "02-eks" / ".terraform" / "in-the-way").mkdir(parents=True)

    with pytest.raises(OSError):
        synth_atomically(synthesize, outdir)
    assert tree_digest(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]
