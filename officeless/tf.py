"""The one module that names the CDKTF distribution packages.

Everything else imports ``core`` (the cdktf library), ``Construct`` and the provider
namespaces ``aws``, ``helm`` and ``kubernetes`` from here, and writes
``aws.vpc.Vpc(...)``. CDKTF is archived upstream; moving to the community fork means
changing the package names in this file only.

Why provider namespaces are lazy: each prebuilt provider package's ``__init__`` imports
every one of its submodules (about 1,500 for AWS, ~10 s on a 2-core machine), see
https://github.com/hashicorp/terraform-cdk/issues/3753. A submodule needs only the
package's ``_jsii`` module (which loads the jsii assembly once), so we register the
package in ``sys.modules`` without running its ``__init__`` and import just the
submodules the app touches; likewise on the Node.js side (``LAZY_PROVIDER_INDEX``).
``OFFICELESS_PLAIN_PROVIDER_IMPORT=1`` switches both back to the plain import; the test
suite proves both produce byte-identical JSON and ``bench/synth.py`` measures the difference.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import ModuleType

from officeless.envvars import PLAIN_PROVIDER_IMPORT

# The Node.js half of the same problem: each provider's lib/index.js requires all its submodules
# (247 MB of JavaScript for AWS, ~2.8 s) when jsii loads the package. This hook, given to the jsii
# runtime's node process only, makes those requires lazy; see the file for how and why.
LAZY_PROVIDER_INDEX = Path(__file__).with_name("lazy_provider_index.cjs")


@contextmanager
def _node_requires(script: Path):
    """Add ``--require script`` to NODE_OPTIONS while the jsii runtime starts, then put it back.

    jsii copies the environment when its node process starts, at the first assembly load (the
    ``constructs`` import below), so nothing else this process starts later gets the hook.
    """
    before = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = " ".join(filter(None, [before, f'--require "{script}"']))
    try:
        yield
    finally:
        if before is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = before


_PLAIN = os.environ.get(PLAIN_PROVIDER_IMPORT) == "1"
with nullcontext() if _PLAIN else _node_requires(LAZY_PROVIDER_INDEX):
    from constructs import Construct

    import cdktf as core

__all__ = ["core", "Construct", "aws", "helm", "kubernetes", "tfe", "google", "azurerm"]


def _register_without_init(package: str) -> None:
    """Put ``package`` in sys.modules with its search path but without executing it."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{package} is not an installed package")
    sys.modules[package] = importlib.util.module_from_spec(spec)


class ProviderNamespace:
    """Attribute access ``ns.<submodule>`` imports ``<package>.<submodule>`` on first use."""

    def __init__(self, package: str) -> None:
        self._package = package
        self._prepared = False

    def _prepare(self) -> None:
        if self._prepared:
            return
        if _PLAIN:
            importlib.import_module(self._package)
        else:
            _register_without_init(self._package)
        self._prepared = True

    def __getattr__(self, name: str) -> ModuleType:
        if name.startswith("_"):
            raise AttributeError(name)
        self._prepare()
        module = importlib.import_module(f"{self._package}.{name}")
        setattr(self, name, module)  # later lookups skip __getattr__
        return module

    def loaded_submodules(self) -> list[str]:
        prefix = self._package + "."
        return sorted(
            m[len(prefix):] for m in sys.modules if m.startswith(prefix) and m != prefix + "_jsii"
        )


aws = ProviderNamespace("cdktf_cdktf_provider_aws")
helm = ProviderNamespace("cdktf_cdktf_provider_helm")
kubernetes = ProviderNamespace("cdktf_cdktf_provider_kubernetes")
# Terraform Cloud (00-tfc-workspaces only): nothing of it is imported unless that stack is built.
tfe = ProviderNamespace("cdktf_cdktf_provider_tfe")
# Google Cloud (cloud: gcp only): nothing of it is imported unless a GCP environment is built.
google = ProviderNamespace("cdktf_cdktf_provider_google")
# Azure (cloud: azure only): nothing of it is imported unless an Azure environment is built.
azurerm = ProviderNamespace("cdktf_cdktf_provider_azurerm")
