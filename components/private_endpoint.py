"""An Azure private endpoint with its name resolved in the VNet (the Azure target's storage accounts,
Redis, registry and Key Vaults: none of them has a public endpoint the platform uses)."""

from __future__ import annotations

from officeless.tf import Construct, azurerm


def private_endpoint(scope: Construct, id_: str, *, name: str, group: str, location: str, network, target_id: str,
                     subresource: str, dns_zone: str | None = None, dns_zone_id: str | None = None,
                     tags: dict[str, str]):
    """``target_id``'s ``subresource`` reached through a private endpoint in the endpoints subnet, its
    name resolved there by a private DNS zone linked to the VNet: a new zone ``dns_zone`` (ids
    ``<id_>``, ``<id_>-dns``, ``<id_>-dns-link``), or the zone ``dns_zone_id`` another stack made (a
    VNet links one zone of a name). Returns the new zone, if any."""
    zone = None
    if dns_zone_id is None:
        zone = azurerm.private_dns_zone.PrivateDnsZone(scope, f"{id_}-dns", name=dns_zone, resource_group_name=group,
                                                       tags=tags)
        azurerm.private_dns_zone_virtual_network_link.PrivateDnsZoneVirtualNetworkLink(
            scope, f"{id_}-dns-link", name=name, resource_group_name=group, private_dns_zone_name=zone.name,
            virtual_network_id=network.vnet.id, registration_enabled=False, tags=tags)
        dns_zone_id = zone.id
    pe = azurerm.private_endpoint
    pe.PrivateEndpoint(
        scope, id_, name=name, resource_group_name=group, location=location, subnet_id=network.endpoints.id,
        private_service_connection=pe.PrivateEndpointPrivateServiceConnection(
            name=subresource, private_connection_resource_id=target_id, subresource_names=[subresource],
            is_manual_connection=False),
        private_dns_zone_group=pe.PrivateEndpointPrivateDnsZoneGroup(name=subresource, private_dns_zone_ids=[dns_zone_id]),
        tags=tags)
    return zone
