"""Deploy order and diagram: derived from the manifest, and README shows the same graph (issue #7)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from officeless.graph import README_END, README_START, ROOT, dependencies, deploy_order, levels, mermaid, readme_block

# The platform's dependency graph as issue #7 documents it, typed in by hand.
DOCUMENTED = {
    "00-state": [],
    "01-vpc": [],
    "02-eks": ["01-vpc"],
    "03-s3": [],
    "04-ec2": ["01-vpc"],
    "05-helm": ["02-eks", "03-s3", "06-access"],  # issue #14: mapped before it runs
    "06-access": ["02-eks"],
    "07-valkey": ["01-vpc", "02-eks"],
    "08-platform": ["02-eks", "05-helm", "06-access"],  # issue #17: after the addons and the tenants
    # Issue #19: the plan selects by tag and the repositories stand alone: no edges.
    "09-backup": [],
    "10-ecr": [],
}


def test_manifest_holds_the_documented_graph(synth):
    assert dependencies(synth.manifest) == DOCUMENTED


def test_deploy_order_puts_every_dependency_first(synth):
    deps = dependencies(synth.manifest)
    order = deploy_order(deps)
    assert sorted(order) == sorted(deps)
    for name, needs in deps.items():
        assert all(order.index(d) < order.index(name) for d in needs), name
    assert order == ["00-state", "01-vpc", "02-eks", "03-s3", "04-ec2", "06-access", "05-helm", "07-valkey", "08-platform",
                     "09-backup", "10-ecr"]


def test_levels_group_the_stacks_that_can_deploy_together():
    assert levels(DOCUMENTED) == [["00-state", "01-vpc", "03-s3", "09-backup", "10-ecr"], ["02-eks", "04-ec2"],
                                  ["06-access", "07-valkey"], ["05-helm"], ["08-platform"]]
    assert levels({}) == []


def test_readme_embeds_the_current_graph(synthesized):
    text = (ROOT / "README.md").read_text()
    embedded = text[text.index(README_START): text.index(README_END) + len(README_END)]
    assert embedded == readme_block(dependencies(synthesized["production"].manifest))


def test_mermaid_draws_every_edge():
    diagram = mermaid(DOCUMENTED)
    assert diagram.startswith("```mermaid\ngraph LR")
    assert diagram.count("-->") == sum(len(d) for d in DOCUMENTED.values())
    assert "s02_eks --> s05_helm" in diagram and "s03_s3 --> s05_helm" in diagram


def test_cycles_and_unknown_stacks_are_errors():
    with pytest.raises(ValueError, match="dependency cycle"):
        deploy_order({"a": ["b"], "b": ["a"]})
    with pytest.raises(ValueError, match="unknown stacks"):
        deploy_order({"a": ["zz"]})


def test_cli_prints_the_order(synthesized):
    manifest = synthesized["dev"].outdir / "manifest.json"
    result = subprocess.run([sys.executable, "-m", "officeless.graph", "--manifest", str(manifest)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.split() == deploy_order(DOCUMENTED)


def test_cli_without_a_synth_says_what_to_do(tmp_path):
    result = subprocess.run([sys.executable, "-m", "officeless.graph", "--manifest", str(tmp_path / "manifest.json")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("not found; run `make synth` (or `npx cdktf synth`) first")
