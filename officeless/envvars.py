"""Every environment variable the project reads, in one place (importing this is free)."""

# Which config/<name>.yaml to synthesize. Default: production.
ENVIRONMENT = "OFFICELESS_ENV"
# Folder holding <environment>.yaml files. Default: config/ in the project root.
CONFIG_DIR = "OFFICELESS_CONFIG_DIR"
# "1": import each provider package whole (slow, ~10 s) instead of only the submodules used.
PLAIN_PROVIDER_IMPORT = "OFFICELESS_PLAIN_PROVIDER_IMPORT"
# Root of a filesystem Terraform provider mirror; unset: providers come from the registry.
TF_PLUGIN_MIRROR_DIR = "TF_PLUGIN_MIRROR_DIR"
# Set by `cdktf synth` to its output folder. Default for `python main.py`: cdktf.out.
CDKTF_OUTDIR = "CDKTF_OUTDIR"
# YYYY-MM-DD: the day EKS support status is judged on (tests pin it). Default: today.
TODAY = "OFFICELESS_TODAY"
# "1": let an unexpected synth failure print its traceback instead of one line.
DEBUG = "OFFICELESS_DEBUG"
