"""``python main.py``: load and validate config, then synthesize every stack atomically."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from officeless.config.loader import load_environment, today, warnings
from officeless.envvars import CDKTF_OUTDIR
from officeless.errors import ConfigError

DEFAULT_OUTDIR = "cdktf.out"


def main() -> int:
    try:
        day = today()
        config = load_environment(on=day)
        notes = warnings(config, on=day)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    # Imported after validation so bad config fails in well under a second.
    from officeless.app import build_app
    from officeless.synth import synth_atomically

    from officeless.capacity import CapacityError
    from officeless.config.loader import config_file, display

    # `cdktf synth` passes its output folder in CDKTF_OUTDIR; `python main.py` uses the default.
    outdir = Path(os.environ.get(CDKTF_OUTDIR) or DEFAULT_OUTDIR)
    try:
        synth_atomically(lambda staging: build_app(config, staging).synth(), outdir)
    except CapacityError as exc:
        # The platform's pods do not fit the minimum nodes (stacks/helm.py checks before building).
        print(f"error: {display(config_file(config.environment))}: {exc}", file=sys.stderr)
        return 2
    print(f"synthesized environment {config.environment!r} into {outdir}", file=sys.stderr)
    return 0
