"""The project cannot silently age (issue #30, item 5): on the wall clock, the same clock the
extended-support warning reads when OFFICELESS_TODAY is unset, every environment runs a minor EKS
still runs, dev runs one in standard support, the version table has a minor in standard support,
the Google Cloud example runs a GKE minor in standard support,
and the chart table was read within a year. Every other test judges support on the fixed day the
expectations were written (tests/conftest.py); this one fails the day the tables fall behind."""

from __future__ import annotations

from datetime import timedelta

from officeless.config import charts, versions
from officeless.config.loader import load_environment
from officeless.envvars import TODAY
from tests.test_refusals import in_project_root  # noqa: F401 (fixture)

AWS_ENVIRONMENTS = ("production", "dev", "local")


def test_nothing_is_past_its_support_today(in_project_root, monkeypatch):  # noqa: F811
    monkeypatch.delenv(TODAY)
    today = versions.today()
    assert versions.minors_supported_on(today, "standard"), (
        f"no minor of officeless/config/versions.py is in standard support on {today}: add the newest EKS offers")
    for environment in AWS_ENVIRONMENTS:
        # Validation refuses a minor past the end of extended support (EKS would have upgraded it).
        config = load_environment(environment, on=today)
        if environment in ("dev", "local"):
            assert config.eks.minor.support_status(today) == "standard", (
                f"{environment} runs {config.eks.kubernetes_version}, past standard support on {today}: upgrade it "
                "(make upgrade-plan)")
    # GKE: validation refuses the example's minor past its standard support, so loading it is the check.
    gcp = load_environment("gcp", on=today)
    assert gcp.gke.minor.support_status(today) == "standard"
    newest = max(row.released for row in charts.CHARTS.values())
    assert today - newest <= timedelta(days=365), (
        f"the chart table (officeless/config/charts.py) was last read for releases of {newest}; read the charts' "
        "repositories again")
