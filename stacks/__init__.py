"""One stack per numbered module of the platform's Terraform layout."""
