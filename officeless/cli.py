"""``python main.py``: load and validate config, then synthesize every stack atomically."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from officeless.config.loader import load_environment, today, warnings
from officeless.envvars import CDKTF_OUTDIR, DEBUG
from officeless.errors import ConfigError, one_line

DEFAULT_OUTDIR = "cdktf.out"


# Exit codes: 2 bad config (nothing written), 3 another synth holds the output folder,
# 1 anything else (I/O error, a bug); 0 success, warnings included.
EXIT_CONFIG, EXIT_BUSY, EXIT_FAILED = 2, 3, 1


def main() -> int:
    outdir = output_folder()
    try:
        return _main(outdir)
    except KeyboardInterrupt:
        return _fail(130, "interrupted; the previous output is unchanged")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and exc.filename == "node":
            # The jsii runtime runs on Node.js; without it nothing was synthesized, nothing written.
            return _fail(EXIT_FAILED, "Node.js ('node') is not on the PATH; the CDKTF runtime needs it (README "
                                      "\"Two commands\"); the previous output is unchanged")
        # Read-only folder, full disk, a file where a folder should be: nothing was swapped in.
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(EXIT_FAILED, f"cannot write the output {outdir.absolute()}: {exc.strerror or exc}{where}; "
                     "the previous output is unchanged")
    except Exception as exc:  # noqa: BLE001 - the one place a traceback becomes one line
        if os.environ.get(DEBUG) == "1":
            raise
        return _fail(EXIT_FAILED, f"synthesis failed: {_first_line(exc)}; the previous output is unchanged "
                     f"(set {DEBUG}=1 for the traceback)")


def output_folder() -> Path:
    # `cdktf synth` passes its output folder in CDKTF_OUTDIR; `python main.py` uses the default.
    return Path(os.environ.get(CDKTF_OUTDIR) or DEFAULT_OUTDIR)


def _fail(code: int, message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    if os.environ.get(DEBUG) != "1":
        # After a failure the jsii runtime's finalizers may complain at exit (its node process
        # half-started); the user already has their one line.
        sys.unraisablehook = lambda _unraisable: None
    return code


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return one_line(f"{type(exc).__name__}: {text[0] if text else ''}", 300)


def _main(outdir: Path) -> int:
    try:
        day = today()
        config = load_environment(on=day)
        notes = warnings(config, on=day)
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    from officeless.capacity import CapacityError
    from officeless.config.loader import config_file, display
    from officeless.synth import SynthBusy, synth_atomically

    def synthesize(staging: str) -> None:
        # Imported here, after validation and under the output folder's lock, so bad config, a
        # busy or unwritable folder fail in well under a second (jsii and providers take seconds).
        from officeless.app import build_app

        build_app(config, staging).synth()

    try:
        notes = synth_atomically(synthesize, outdir)
    except CapacityError as exc:
        # The platform's pods do not fit the minimum nodes (stacks/helm.py checks before building).
        return _fail(EXIT_CONFIG, f"{display(config_file(config.environment))}: {exc}")
    except SynthBusy as exc:
        return _fail(EXIT_BUSY, str(exc))
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    print(f"synthesized environment {config.environment!r} into {outdir}", file=sys.stderr)
    return 0
