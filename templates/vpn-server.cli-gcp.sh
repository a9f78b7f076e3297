# Google Cloud CLI and GKE's kubectl credential plugin, pinned (apt), from Google's repository:
# https://cloud.google.com/sdk/docs/install#deb and
# https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg | gpg --dearmor -o /usr/share/keyrings/cloud.google.gpg
echo "deb [signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main" \
  > /etc/apt/sources.list.d/google-cloud-sdk.list
apt-get update
apt-get install -y "google-cloud-cli={{ gcloud_version }}" "google-cloud-cli-gke-gcloud-auth-plugin={{ gcloud_version }}"
