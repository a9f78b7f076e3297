#!/usr/bin/env python3
"""Time a full synth of every stack of each environment: fast provider import vs plain import.

Each run is a fresh `python main.py` process (what `cdktf synth` runs), so the numbers
include interpreter start, the jsii runtime and assembly load, and writing cdktf.out.
Fast and plain runs are interleaved so machine noise hits both alike; the ratio is of
medians from this one invocation.

    pipenv run python bench/synth.py [--env production ...] [--runs 5] [--json out.json]

Default: every environment in config/ (each file's stacks, the new ones included). Budgets, per
environment: fast median <= 5 s and fast/plain <= 0.3; past either the script exits 1 (issue #20).
Peak memory is the largest summed RSS of the process tree (python + the node jsii runtime),
sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from officeless.envvars import CDKTF_OUTDIR, ENVIRONMENT, PLAIN_PROVIDER_IMPORT  # noqa: E402

BUDGET_MEDIAN_S = 5.0
BUDGET_RATIO = 0.3


def _tree_rss_kib(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_once(env_name: str, plain: bool, outdir: Path) -> tuple[float, int]:
    env = {**os.environ, ENVIRONMENT: env_name, CDKTF_OUTDIR: str(outdir), PLAIN_PROVIDER_IMPORT: "1" if plain else "0"}
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"synth failed ({'plain' if plain else 'fast'}):\n{err}")
    return elapsed, peak


def environments() -> list[str]:
    """Every environment with a config file, production first."""
    names = sorted(p.stem for p in (ROOT / "config").glob("*.yaml"))
    return sorted(names, key=lambda n: n != "production")


def bench(env_name: str, runs: int, tmp: Path) -> dict:
    results: dict[str, list[tuple[float, int]]] = {"fast": [], "plain": []}
    run_once(env_name, False, tmp / f"{env_name}-warmup")  # fills the jsii package cache and .pyc files
    for i in range(runs):
        for mode in ("fast", "plain"):
            results[mode].append(run_once(env_name, mode == "plain", tmp / f"{env_name}-{mode}-{i}"))
    stacks = sorted(json.loads((tmp / f"{env_name}-fast-0" / "manifest.json").read_text())["stacks"])
    summary = {}
    for mode, measured in results.items():
        times = [t for t, _ in measured]
        summary[mode] = {
            "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3),
            "max_s": round(max(times), 3),
            "peak_rss_mib": round(max(m for _, m in measured) / 1024, 1),
        }
    ratio = summary["fast"]["median_s"] / summary["plain"]["median_s"]
    return {"environment": env_name, "stacks": stacks, **summary, "ratio_fast_to_plain": round(ratio, 3),
            "within_budget": summary["fast"]["median_s"] <= BUDGET_MEDIAN_S and ratio <= BUDGET_RATIO}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", nargs="+", default=None, help="environments (default: every config/*.yaml)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each mode (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    names = args.env or environments()

    reports = []
    with tempfile.TemporaryDirectory(prefix="officeless-bench-") as tmp:
        for name in names:
            reports.append(bench(name, args.runs, Path(tmp)))

    print(f"full synth, {args.runs} interleaved runs per mode, {os.cpu_count()} CPUs; budgets: fast median <= "
          f"{BUDGET_MEDIAN_S:.0f} s, ratio <= {BUDGET_RATIO}")
    print(f"{'environment':<12} {'stacks':>6} {'mode':<6} {'median':>8} {'min':>8} {'max':>8} {'peak RSS':>10}")
    for r in reports:
        for mode in ("fast", "plain"):
            m = r[mode]
            print(f"{r['environment']:<12} {len(r['stacks']):>6} {mode:<6} {m['median_s']:>7.2f}s {m['min_s']:>7.2f}s "
                  f"{m['max_s']:>7.2f}s {m['peak_rss_mib']:>7.0f} MiB")
        print(f"{r['environment']:<12} ratio fast/plain (medians): {r['ratio_fast_to_plain']:.2f} -> "
              f"{'within budget' if r['within_budget'] else 'OVER BUDGET'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs_per_mode": args.runs, "cpus": os.cpu_count(),
                                         "budgets": {"fast_median_s": BUDGET_MEDIAN_S, "ratio": BUDGET_RATIO},
                                         "environments": reports}, indent=2) + "\n")
    over = [r["environment"] for r in reports if not r["within_budget"]]
    if over:
        print(f"over budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
