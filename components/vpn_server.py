"""The Pritunl VPN server, which is also the Jenkins agent and a Docker registry.

A public-subnet instance with an Elastic IP, ``source_dest_check`` off (it routes VPN
clients' packets), IMDSv2 only, encrypted gp3 root and data volumes, and SSM for shell
access so SSH can stay closed. Its software comes from templates/vpn-server.cloud-init.yaml.
"""

from __future__ import annotations

from components.aws_context import AwsContext
from components.cloud_init import render
from components.iam import service_trust
from components.kms import CustomerKey
from components.protection import lifecycle
from components.security_group import SecurityGroup
from officeless import names
from officeless.config.ec2 import VPC, Ec2Config
from officeless.tf import Construct, aws, core

DATA_DEVICE = "/dev/sdf"
DATA_MOUNT_POINT = "/var/lib/mongodb"
# service -> (port, protocol); wireguard's port comes from config.
PORTS = {
    "ssh": (22, "tcp"),
    "openvpn": (1194, "udp"),
    "http": (80, "tcp"),
    "https": (443, "tcp"),
    "jenkins_agent": (50000, "tcp"),
    "docker_registry": (5000, "tcp"),
}


# How the data volume is found on each cloud (by a name that survives reboots), and the cloud's CLI.
# EBS: Nitro instances show the volume as an NVMe device named after its id.
AWS_DATA_DEVICE = '/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$(echo "$volume_id" | tr -d -)'
AWS_DATA_NOTE = ("its EBS volume id:\n      # on Nitro instances the NVMe device name can change between boots, the id "
                 "cannot.")


def cloud_init(software, *, jenkins_user: str, data_volume_id: str, data_device: str, data_volume_note: str,
               cloud_cli: str, cli_values: dict) -> str:
    """The VPN server's cloud-config on any cloud: the same software, the cloud's way to its data
    volume and its CLI (``templates/vpn-server.cli-<cloud>.sh``, indented into the bootstrap script)."""
    cli = render(f"vpn-server.cli-{cloud_cli}.sh", cli_values).rstrip("\n").replace("\n", "\n      ")
    return render("vpn-server.cloud-init.yaml", {
        "java_version": software.java,
        "jenkins_user": jenkins_user,
        "pritunl_version": software.pritunl,
        "mongodb_series": software.mongodb_series,
        "mongodb_version": software.mongodb,
        "kubectl_series": software.kubectl_series,
        "yq_version": software.yq,
        "docker_registry_version": software.docker_registry,
        "data_volume_id": data_volume_id,
        "data_mount_point": DATA_MOUNT_POINT,
        "data_device": data_device,
        "data_volume_note": data_volume_note,
        "cloud_cli": cli,
    })


def user_data(config: Ec2Config, *, data_volume_id: str) -> str:
    """The rendered cloud-config (``data_volume_id`` may be a Terraform reference)."""
    return cloud_init(config.software, jenkins_user=config.jenkins_agent_user, data_volume_id=data_volume_id,
                      data_device=AWS_DATA_DEVICE, data_volume_note=AWS_DATA_NOTE, cloud_cli="aws",
                      cli_values={"awscli_version": config.software.awscli})


def ingress_rules(config: Ec2Config) -> list[tuple[str, int, str, str]]:
    """(service, port, protocol, source) for every allowed source, 'vpc' unresolved."""
    ports = dict(PORTS)
    services = list(PORTS)
    if config.wireguard_enabled:
        ports["wireguard"] = (config.wireguard_port, "udp")
        services.append("wireguard")
    return [(s, *ports[s], source) for s in services for source in getattr(config.ingress, s)]


class VpnServer(Construct):
    """:param config: the validated ``ec2`` section.
    :param vpc_id: VPC of the security group.
    :param vpc_cidr_block: what the source ``vpc`` in config stands for.
    :param subnet_id: the public subnet (config ``ec2.subnet``).
    :param availability_zone: that subnet's AZ, where the data volume must live.
    :param backup_plan: the AWS Backup plan that selects both volumes by their ``backup-plan``
        tag (the data volume holds Pritunl's MongoDB). Default None: no tag.
    """

    def __init__(self, scope: Construct, id_: str, *, config: Ec2Config, vpc_id: str, vpc_cidr_block: str,
                 subnet_id: str, availability_zone: str, backup_plan: str | None = None) -> None:
        super().__init__(scope, id_)
        ctx = AwsContext.of(self)
        name = config.name
        backup = {names.BACKUP_TAG: backup_plan} if backup_plan else {}

        ami = aws.data_aws_ami.DataAwsAmi(
            self, "ami", most_recent=True, owners=[config.ami_owner],
            filter=[aws.data_aws_ami.DataAwsAmiFilter(name=k, values=[v]) for k, v in (
                ("name", config.ami_name_pattern), ("architecture", "x86_64"),
                ("virtualization-type", "hvm"), ("root-device-type", "ebs"))],
        )
        key = CustomerKey(self, "kms", alias=f"{name}-volumes", description=f"Encrypts the EBS volumes of {name}",
                          prevent_destroy=config.prevent_destroy)

        trust = service_trust(self, "role-trust", "ec2.amazonaws.com")
        role = aws.iam_role.IamRole(self, "role", name=name, assume_role_policy=trust.json,
                                    description=f"Instance role of {name} (SSM Session Manager)")
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, "role-ssm", role=role.name, policy_arn=ctx.managed_policy_arn("AmazonSSMManagedInstanceCore"))
        profile = aws.iam_instance_profile.IamInstanceProfile(self, "instance-profile", name=name, role=role.name)

        self.security_group = SecurityGroup(self, "sg", name=name, vpc_id=vpc_id,
                                            description=f"{name}: Pritunl VPN, Jenkins agent, Docker registry")
        for service, port, protocol, source in ingress_rules(config):
            cidr = vpc_cidr_block if source == VPC else source
            label = "vpc" if source == VPC else source.replace("/", "_")
            self.security_group.allow_ingress(f"{service}-{label}", description=f"{service} {port}/{protocol} from {source}",
                                              protocol=protocol, port=port, cidr=cidr)
        # Explicit: a VPN gateway forwards its clients' traffic anywhere, and the server
        # itself fetches packages, images and ACME certificates from the internet.
        self.security_group.allow_egress("all", description="VPN client traffic and the server's own downloads",
                                         protocol="-1", cidr="0.0.0.0/0")

        data_volume = aws.ebs_volume.EbsVolume(
            self, "data-volume", availability_zone=availability_zone, size=config.data_volume_gb, type="gp3",
            encrypted=True, kms_key_id=key.key_arn, tags={"Name": f"{name}-data", **backup},
            lifecycle=lifecycle(prevent_destroy=config.prevent_destroy),
        )
        self._instance = aws.instance.Instance(
            self,
            "instance",
            ami=ami.id,
            instance_type=config.instance_type,
            subnet_id=subnet_id,
            vpc_security_group_ids=[self.security_group.security_group_id],
            iam_instance_profile=profile.name,
            source_dest_check=False,
            ebs_optimized=True,
            monitoring=config.detailed_monitoring,
            disable_api_termination=config.termination_protection,
            metadata_options=aws.instance.InstanceMetadataOptions(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            root_block_device=aws.instance.InstanceRootBlockDevice(
                volume_size=config.root_volume_gb, volume_type="gp3", encrypted=True, kms_key_id=key.key_arn,
                delete_on_termination=True, tags={"Name": f"{name}-root", **backup}),
            user_data=user_data(config, data_volume_id=data_volume.id),
            tags={"Name": name},
            # A new AMI must never replace the running VPN server. cloud-init runs only on the
            # first boot, so a changed template would only stop/start the server for nothing:
            # replace the instance deliberately to apply one (README, 04-ec2).
            lifecycle=core.TerraformResourceLifecycle(ignore_changes=["ami", "user_data"]),
        )
        aws.volume_attachment.VolumeAttachment(
            self, "data-volume-attachment", device_name=DATA_DEVICE, volume_id=data_volume.id, instance_id=self._instance.id)

        self._eip = aws.eip.Eip(self, "eip", domain="vpc", tags={"Name": name})
        aws.eip_association.EipAssociation(self, "eip-association", allocation_id=self._eip.id, instance_id=self._instance.id)

    @property
    def instance_id(self) -> str:
        return self._instance.id

    @property
    def public_ip(self) -> str:
        return self._eip.public_ip

    @property
    def private_ip(self) -> str:
        return self._instance.private_ip

    @property
    def security_group_id(self) -> str:
        return self.security_group.security_group_id
