"""A Helm release with the platform's defaults: atomic, waited for, time-limited, values as YAML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import yaml

from officeless.tf import Construct, core, helm


@dataclass(frozen=True)
class ChartSource:
    """A chart in a repository (``https://...`` or ``oci://...``), or, with ``repository``
    None, a chart folder shipped with the stack (a ``TerraformAsset`` path)."""

    repository: str | None
    chart: str


# libyaml's emitter when PyYAML has it (its wheels do): the same text as the pure-Python one for
# every values document of every environment, in a tenth of the time (issue #20).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def to_yaml(values: Mapping[str, Any]) -> str:
    # No line wrapping: a wrapped Terraform reference would no longer resolve.
    return yaml.dump(dict(values), Dumper=_DUMPER, sort_keys=True, width=2**31 - 1, default_flow_style=False)


class HelmChart(Construct):
    """:param release_name: the Helm release name.
    :param source: chart repository and name.
    :param version: exact chart version (config pins it); None for a chart shipped with the
        stack, whose version is its Chart.yaml's.
    :param namespace: where the release lives.
    :param values: chart values as Python data, rendered to one YAML document.
    :param timeout_seconds: how long Helm waits for readiness before rolling back.
    :param skip_crds: do not install the chart's ``crds/`` (another release owns them). Default False.
    :param depends_on: what must exist first. Default: nothing.
    ``atomic`` (roll back a failed install/upgrade) and ``wait`` are always on.
    """

    def __init__(self, scope: Construct, id_: str, *, release_name: str, source: ChartSource, version: str | None,
                 namespace: str, values: Mapping[str, Any], timeout_seconds: int, skip_crds: bool = False,
                 depends_on: Sequence[core.ITerraformDependable] = ()) -> None:
        super().__init__(scope, id_)
        self._release = helm.release.Release(
            self, "release", name=release_name, repository=source.repository, chart=source.chart, version=version,
            namespace=namespace, atomic=True, wait=True, timeout=timeout_seconds, values=[to_yaml(values)],
            skip_crds=skip_crds or None, depends_on=list(depends_on) or None,
        )

    @property
    def resource(self) -> helm.release.Release:
        return self._release
