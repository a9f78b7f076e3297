"""One module per addon 05-helm installs: its chart, service account, Pod Identity policy, values,
disruption budget and the pods it runs (for the capacity check), together."""
