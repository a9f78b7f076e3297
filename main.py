#!/usr/bin/env python3
"""Entry point of the CDKTF app (cdktf.json "app"): synthesizes $OFFICELESS_ENV."""

import os
import sys

# jsii prints an 11-line banner on every run because Node 20 is past its end of life
# for jsii; README asks for Node 22+ where available. Silence only that one version.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from officeless.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
