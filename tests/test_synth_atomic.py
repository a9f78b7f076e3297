"""A failed synth leaves the previous cdktf.out/ as it was; a good one keeps Terraform's working files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from officeless.synth import synth_atomically
from tests.test_config_errors import errors_only, previous_output, tree_digest


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


# --- one synth at a time per output folder; nothing left behind by overlap or kill (issue #15) ---

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from officeless.synth import SynthBusy, lock_path  # noqa: E402
from tests.test_config_errors import PRODUCTION, run_main  # noqa: E402

# A stand-in synth in its own process: writes a complete output slowly (so others overlap
# it), then swaps it in. SYNTH_DELAY seconds between files; with SYNTH_RELEASE, it also waits
# (up to 60 s) for that file before its last one, so others overlap it however slowly they start.
FAKE_SYNTH = """
import json, os, sys, time
import shutil
from pathlib import Path
sys.path.insert(0, {root!r})
from officeless.synth import SynthBusy, synth_atomically

def synthesize(staging):
    for stack in ("01-vpc", "02-eks", "03-s3"):
        (Path(staging) / "stacks" / stack).mkdir(parents=True)
        (Path(staging) / "stacks" / stack / "cdk.tf.json").write_text(json.dumps({{"by": os.getpid()}}))
        time.sleep(float(os.environ["SYNTH_DELAY"]))
    release, deadline = os.environ.get("SYNTH_RELEASE"), time.monotonic() + 60
    while release and not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    (Path(staging) / "manifest.json").write_text(json.dumps({{"by": os.getpid()}}))

try:
    synth_atomically(synthesize, Path(sys.argv[1]))
except SynthBusy as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
"""


def start_fake_synth(tmp_path: Path, outdir: Path, delay: float, release: Path | None = None) -> subprocess.Popen:
    script = tmp_path / "fake_synth.py"
    script.write_text(FAKE_SYNTH.format(root=str(PRODUCTION.parents[1])))
    env = {**os.environ, "SYNTH_DELAY": str(delay), **({"SYNTH_RELEASE": str(release)} if release else {})}
    return subprocess.Popen([sys.executable, str(script), str(outdir)], env=env, stderr=subprocess.PIPE, text=True)


def assert_complete_output_of_one_writer(outdir: Path) -> None:
    writers = {(outdir / "manifest.json").read_text()} | {
        (outdir / "stacks" / s / "cdk.tf.json").read_text() for s in ("01-vpc", "02-eks", "03-s3")}
    assert len(writers) == 1  # every file from the same synth: no mix of two


def test_overlapping_synths_one_wins_the_others_say_busy_and_nothing_is_left(tmp_path):
    outdir = previous_output(tmp_path / "out")
    # The first holds the lock until the others have tried: a fixed delay lost that race on a busy
    # machine (CI, beside the rehearsal), where starting Python took longer than the delay.
    release = tmp_path / "release"
    first = start_fake_synth(tmp_path, outdir, delay=0.1, release=release)
    deadline = time.monotonic() + 10
    while not lock_path(outdir).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    others = [start_fake_synth(tmp_path, outdir, delay=0.0) for _ in range(3)]
    for proc in others:
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 3
        assert err.strip() == (f"another synth is running into {outdir} (pid {first.pid}); wait for it to finish, "
                               "or set CDKTF_OUTDIR to another folder")
    release.touch()
    assert first.wait(timeout=30) == 0
    assert_complete_output_of_one_writer(outdir)
    assert sorted(p.name for p in outdir.parent.iterdir()) == ["cdktf.out"]


def test_a_synth_killed_midway_leaves_the_old_output_and_the_next_synth_cleans_up(tmp_path):
    outdir = previous_output(tmp_path / "out")
    before = tree_digest(outdir)
    victim = start_fake_synth(tmp_path, outdir, delay=5)
    deadline = time.monotonic() + 10
    while not list(outdir.parent.glob(".cdktf.out.new-*/stacks/01-vpc/cdk.tf.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    # What SIGKILL leaves: the staging folder and the lock file (its flock died with the process).
    assert tree_digest(outdir) == before
    assert sorted(p.name for p in outdir.parent.iterdir() if p.name != "cdktf.out")[0].startswith(".cdktf.out.lock")
    assert len(list(outdir.parent.glob(".cdktf.out.new-*"))) == 1

    survivor = start_fake_synth(tmp_path, outdir, delay=0.0)
    assert survivor.wait(timeout=30) == 0
    assert_complete_output_of_one_writer(outdir)
    assert sorted(p.name for p in outdir.parent.iterdir()) == ["cdktf.out"]


def test_an_old_output_that_cannot_be_deleted_is_reported_not_left_silently(tmp_path, monkeypatch):
    outdir = previous_output(tmp_path)
    real_rmtree = shutil.rmtree

    def failing_rmtree(path, ignore_errors=False, onerror=None):
        if ".old-" in str(path) and onerror is not None:
            onerror(os.rmdir, str(path), (PermissionError, PermissionError(13, "Permission denied"), None))
            return
        real_rmtree(path, ignore_errors=ignore_errors, onerror=onerror)

    monkeypatch.setattr(shutil, "rmtree", failing_rmtree)
    notes = synth_atomically(lambda staging: (Path(staging) / "manifest.json").write_text("{}"), outdir)
    retired = tmp_path / f".cdktf.out.old-{os.getpid()}"
    assert notes == [f"could not delete {retired} ({retired}: Permission denied); delete it by hand"]
    assert (outdir / "manifest.json").read_text() == "{}"


def test_the_cli_refuses_while_another_synth_holds_the_folder(tmp_path):
    import fcntl

    outdir = previous_output(tmp_path)
    before = tree_digest(tmp_path)
    with open(lock_path(outdir), "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.write("4242\n")
        holder.flush()
        result = run_main({"CDKTF_OUTDIR": str(outdir), "OFFICELESS_ENV": "dev"}, tmp_path)
    assert result.returncode == 3
    assert errors_only(result.stderr) == [
        f"error: another synth is running into {outdir} (pid 4242); wait for it to finish, or set CDKTF_OUTDIR to another folder"]
    lock_path(outdir).unlink()
    assert tree_digest(tmp_path) == before


def test_the_cli_turns_an_unwritable_output_folder_into_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    outdir = tmp_path / "a-file" / "cdktf.out"
    result = run_main({"CDKTF_OUTDIR": str(outdir), "OFFICELESS_ENV": "dev"}, tmp_path)
    assert result.returncode == 1
    assert errors_only(result.stderr) == [
        f"error: cannot write the output {outdir}: File exists ({tmp_path / 'a-file'}); the previous output is unchanged"]


def test_the_cli_turns_a_failing_write_into_one_line(tmp_path):
    """A file-size limit stands in for a full disk (root ignores read-only modes, and a
    test cannot fill the disk): every write past 20 kB fails with EFBIG, as with ENOSPC."""
    import resource

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    outdir = previous_output(tmp_path)
    before = tree_digest(tmp_path)
    result = subprocess.run([sys.executable, str(PRODUCTION.parents[1] / "main.py")], cwd=tmp_path,
                            env={**os.environ, "CDKTF_OUTDIR": str(outdir), "OFFICELESS_ENV": "dev"},
                            preexec_fn=limit_writes, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert errors_only(result.stderr) == [
        f"error: cannot write the output {outdir}: File too large; the previous output is unchanged"]
    assert tree_digest(tmp_path) == before


def test_busy_is_its_own_exception():
    assert not issubclass(SynthBusy, OSError)


# --- a kill between any two moves of the final swap (issue #28) ----------------------------------

# A synth that kills itself (SIGKILL: no cleanup runs) at one step of the swap; KILL_AT names it,
# NO_EXCHANGE=1 takes the path for systems without an atomic exchange.
KILLED_SYNTH = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
import officeless.synth as synth

def step(name):
    if name == os.environ["KILL_AT"]:
        os.kill(os.getpid(), signal.SIGKILL)

synth._step = step
if os.environ.get("NO_EXCHANGE") == "1":
    synth._exchange = lambda a, b: False

def synthesize(staging):
    stack = Path(staging) / "stacks" / "01-vpc"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text("new")
    (Path(staging) / "manifest.json").write_text("new")

synth.synth_atomically(synthesize, Path(sys.argv[1]))
"""


def output_with_working_files(tmp_path: Path) -> Path:
    outdir = previous_output(tmp_path / "out")
    stack = outdir / "stacks" / "01-vpc"
    (stack / ".terraform" / "providers").mkdir(parents=True)
    (stack / ".terraform" / "providers" / "terraform-provider-aws").write_text("binary")
    (stack / ".terraform.lock.hcl").write_text("lock")
    return outdir


def assert_whole(outdir: Path) -> str:
    """``outdir`` is one synth's output, old or new, with the working files: which one."""
    stack = outdir / "stacks" / "01-vpc"
    assert (stack / ".terraform" / "providers" / "terraform-provider-aws").read_text() == "binary"
    assert (stack / ".terraform.lock.hcl").read_text() == "lock"
    manifest = (outdir / "manifest.json").read_text()
    assert (stack / "cdk.tf.json").read_text() == ("new" if manifest == "new" else '{"previous": true}')
    return "new" if manifest == "new" else "old"


STEPS = [("linked", "0", "old"), ("exchanged", "0", "new"), ("swapped", "0", "new"),
         ("ready", "1", "old"), ("retired", "1", None), ("swapped", "1", "new")]


@pytest.mark.parametrize("step,no_exchange,left", STEPS, ids=[f"{s}{'-no-exchange' if n == '1' else ''}" for s, n, _ in STEPS])
def test_a_kill_between_two_moves_of_the_swap_loses_nothing(tmp_path, step, no_exchange, left):
    outdir = output_with_working_files(tmp_path)
    script = tmp_path / "killed_synth.py"
    script.write_text(KILLED_SYNTH.format(root=str(PRODUCTION.parents[1])))
    proc = subprocess.run([sys.executable, str(script), str(outdir)], timeout=60,
                          env={**os.environ, "KILL_AT": step, "NO_EXCHANGE": no_exchange})
    assert proc.returncode == -signal.SIGKILL
    if left is not None:  # at this step the output is whole as it stands
        assert assert_whole(outdir) == left
    else:  # without an atomic exchange there is a moment with no output: the ready tree is whole
        assert not outdir.exists()
        (ready,) = outdir.parent.glob(".cdktf.out.ready-*")
        assert assert_whole(ready) == "new"
    # The next synth puts back or finishes what the kill left, and leaves nothing else behind.
    synth_atomically(lambda staging: (Path(staging) / "stacks" / "01-vpc").mkdir(parents=True), outdir)
    assert (outdir / "stacks" / "01-vpc" / ".terraform" / "providers" / "terraform-provider-aws").read_text() == "binary"
    assert sorted(p.name for p in outdir.parent.iterdir()) == ["cdktf.out"]


def test_the_swap_is_atomic_here(tmp_path):
    """This machine's kernel and file system exchange two trees in one step (the path CI tests)."""
    from officeless.synth import _exchange

    (tmp_path / "a").mkdir()
    (tmp_path / "b").write_text("b")
    assert _exchange(tmp_path / "a", tmp_path / "b") is True
    assert (tmp_path / "a").read_text() == "b" and (tmp_path / "b").is_dir()


def test_a_stray_file_where_the_output_was_is_cleaned_up_once(tmp_path):
    outdir = tmp_path / "cdktf.out"
    outdir.write_text("not an output")
    assert synth_atomically(lambda staging: (Path(staging) / "manifest.json").write_text("{}"), outdir) == []
    assert (outdir / "manifest.json").read_text() == "{}"
    assert synth_atomically(lambda staging: (Path(staging) / "manifest.json").write_text("{}"), outdir) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out"]


def test_a_missing_node_is_named_not_taken_for_a_write_error(tmp_path):
    outdir = previous_output(tmp_path)
    before = tree_digest(tmp_path)
    result = run_main({"CDKTF_OUTDIR": str(outdir), "OFFICELESS_ENV": "dev", "PATH": str(tmp_path / "empty")}, tmp_path)
    assert result.returncode == 1
    assert errors_only(result.stderr) == ["error: Node.js ('node') is not on the PATH; the CDKTF runtime needs it (README "
                                          '"Two commands"); the previous output is unchanged']
    assert tree_digest(tmp_path) == before
