#!/usr/bin/env python3
"""Entry point of the CDKTF app (cdktf.json "app"): synthesizes $OFFICELESS_ENV."""

import os
import sys

# Cache bytecode even where PYTHONDONTWRITEBYTECODE=1: pipenv sets it for everything `pipenv run`
# starts (cdktf.json's app, the Makefile), whatever the caller's environment says (pipenv's
# environments.py, "HACK: avoid resolver.py uses the wrong byte code files"). Without a cache every
# synth compiles each module it imports, provider bindings included: a production synth 9.8 s
# instead of 8.5 s, a plain provider import 47 s instead of 17 s (issue #20). The caches land in
# .venv/ and in git-ignored __pycache__/ folders. Only the variable is overridden: `python -B` is not.
if os.environ.get("PYTHONDONTWRITEBYTECODE"):
    sys.dont_write_bytecode = False

# jsii prints an 11-line banner on every run because Node 20 is past its end of life
# for jsii; README asks for Node 22+ where available. Silence only that one version.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from officeless.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
