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
submodules the app touches. ``OFFICELESS_PLAIN_PROVIDER_IMPORT=1`` switches back to the
plain import; the test suite proves both produce byte-identical JSON and
``bench/synth.py`` measures the difference.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from types import ModuleType

import cdktf as core
from constructs import Construct

from officeless.envvars import PLAIN_PROVIDER_IMPORT

__all__ = ["core", "Construct", "aws", "helm", "kubernetes", "tfe"]


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
        if os.environ.get(PLAIN_PROVIDER_IMPORT) == "1":
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
