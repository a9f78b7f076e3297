"""Deploy order and dependency graph of the stacks, read from cdktf.out/manifest.json.

    python -m officeless.graph                 # deploy order, one stack per line
    python -m officeless.graph --mermaid       # the graph as a Mermaid diagram
    python -m officeless.graph --update-readme # rewrite the diagram README.md embeds

The manifest is what `cdktf deploy '*'` walks, so this shows exactly the order it uses.
Destroy in the reverse order.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_START = "<!-- stack-graph:start (python -m officeless.graph --update-readme) -->"
README_END = "<!-- stack-graph:end -->"


def dependencies(manifest: dict) -> dict[str, list[str]]:
    return {name: sorted(stack["dependencies"]) for name, stack in manifest["stacks"].items()}


def deploy_order(deps: dict[str, list[str]]) -> list[str]:
    """Topological order; among stacks that are ready together, by name (00-, 01-, ...)."""
    remaining = {name: set(d) for name, d in deps.items()}
    unknown = {d for ds in remaining.values() for d in ds} - set(remaining)
    if unknown:
        raise ValueError(f"manifest names unknown stacks as dependencies: {sorted(unknown)}")
    order: list[str] = []
    while remaining:
        ready = sorted(name for name, d in remaining.items() if not d)
        if not ready:
            raise ValueError(f"dependency cycle among {sorted(remaining)}")
        name = ready[0]
        order.append(name)
        del remaining[name]
        for d in remaining.values():
            d.discard(name)
    return order


def levels(deps: dict[str, list[str]]) -> list[list[str]]:
    """Stacks grouped by dependency level: each level needs only earlier ones, so the stacks of one
    level can be deployed (or, in reverse, destroyed) concurrently. Each level sorted by name."""
    order = deploy_order(deps)  # validates: unknown stacks, cycles
    level: dict[str, int] = {}
    for name in order:
        level[name] = 1 + max((level[d] for d in deps[name]), default=-1)
    return [sorted(n for n in order if level[n] == i) for i in range(max(level.values(), default=-1) + 1)]


def _node(name: str) -> str:
    return "s" + re.sub(r"[^A-Za-z0-9]", "_", name)


def mermaid(deps: dict[str, list[str]]) -> str:
    """Arrows point from a stack to the stacks that need it (deploy direction)."""
    lines = ["```mermaid", "graph LR"]
    for name in deploy_order(deps):
        lines.append(f'  {_node(name)}["{name}"]')
    for name in deploy_order(deps):
        for dep in deps[name]:
            lines.append(f"  {_node(dep)} --> {_node(name)}")
    lines.append("```")
    return "\n".join(lines)


def readme_block(deps: dict[str, list[str]]) -> str:
    order = " → ".join(f"`{n}`" for n in deploy_order(deps))
    return f"{README_START}\n{mermaid(deps)}\n\nDeploy order: {order}. Destroy in reverse.\n{README_END}"


def update_readme(readme: Path, deps: dict[str, list[str]]) -> bool:
    text = readme.read_text()
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    new = text[:start] + readme_block(deps) + text[end:]
    readme.write_text(new)
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=ROOT / "cdktf.out" / "manifest.json")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--mermaid", action="store_true", help="print the Mermaid diagram")
    group.add_argument("--update-readme", action="store_true", help="rewrite the diagram embedded in README.md")
    args = parser.parse_args(argv)
    if not args.manifest.is_file():
        print(f"error: {args.manifest}: not found; run `make synth` (or `npx cdktf synth`) first", file=sys.stderr)
        return 2
    deps = dependencies(json.loads(args.manifest.read_text()))
    if args.mermaid:
        print(mermaid(deps))
    elif args.update_readme:
        changed = update_readme(ROOT / "README.md", deps)
        print("README.md updated" if changed else "README.md already up to date", file=sys.stderr)
    else:
        print("\n".join(deploy_order(deps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
