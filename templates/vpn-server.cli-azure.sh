# Azure CLI, pinned (apt), from Microsoft's repository, its key checked against Microsoft's published
# fingerprint: https://learn.microsoft.com/cli/azure/install-azure-cli-linux?pivots=apt
key_from microsoft https://packages.microsoft.com/keys/microsoft.asc "BC52 8686 B50D 79E3 39D3 721C EB3E 94AD BE12 29CF"
echo "deb [arch=amd64 signed-by=/usr/share/keyrings/microsoft.gpg] https://packages.microsoft.com/repos/azure-cli/ $codename main" \
  > /etc/apt/sources.list.d/azure-cli.list
apt-get update
apt-get install -y "azure-cli={{ azure_cli_version }}"
# kubelogin, kubectl's credential plugin for Entra ID (AKS with local accounts off), a pinned release
# checked against the SHA-256 published beside it: https://azure.github.io/kubelogin/install.html
tmp=$(mktemp -d)
release="https://github.com/Azure/kubelogin/releases/download/{{ kubelogin_version }}"
curl -fsSL "$release/kubelogin-linux-amd64.zip" -o "$tmp/kubelogin-linux-amd64.zip"
curl -fsSL "$release/kubelogin-linux-amd64.zip.sha256" -o "$tmp/kubelogin.sha256"
(cd "$tmp" && echo "$(cut -d ' ' -f 1 kubelogin.sha256)  kubelogin-linux-amd64.zip" | sha256sum -c -)
unzip -q "$tmp/kubelogin-linux-amd64.zip" -d "$tmp"
install -m 0755 "$tmp/bin/linux_amd64/kubelogin" /usr/local/bin/kubelogin
rm -rf "$tmp"
