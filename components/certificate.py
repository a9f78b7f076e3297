"""An ACM certificate for exact host names, validated through DNS records in a Route 53 zone.

The records come from the certificate's own ``domain_validation_options`` (one per name, by
``for_each``), and ``aws_acm_certificate_validation`` waits until ACM has issued it, so whatever
takes ``certificate_arn`` gets an issued certificate. Exact names, no wildcard: a wildcard
certificate would serve any host of the zone (checkov CKV2_AWS_71). ``create_before_destroy``: a
new set of names is issued before the old certificate, still on the listener, goes
(https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
"""

from __future__ import annotations

from typing import Sequence

from officeless.tf import Construct, aws, core


class ValidatedCertificate(Construct):
    """:param domains: the host names, the first the certificate's subject.
    :param zone_id: the Route 53 hosted zone holding those names.
    """

    def __init__(self, scope: Construct, id_: str, *, domains: Sequence[str], zone_id: str) -> None:
        super().__init__(scope, id_)
        certificate = aws.acm_certificate.AcmCertificate(
            self, "certificate", domain_name=domains[0], subject_alternative_names=list(domains[1:]) or None,
            validation_method="DNS", lifecycle=core.TerraformResourceLifecycle(create_before_destroy=True))
        options = core.TerraformIterator.from_complex_list(certificate.domain_validation_options, "domain_name")
        records = aws.route53_record.Route53Record(
            self, "validation-record", for_each=options, zone_id=zone_id, name=options.get_string("resource_record_name"),
            type=options.get_string("resource_record_type"), records=[options.get_string("resource_record_value")],
            ttl=60, allow_overwrite=True)
        self._validation = aws.acm_certificate_validation.AcmCertificateValidation(
            self, "validation", certificate_arn=certificate.arn,
            validation_record_fqdns=core.Token.as_list(core.TerraformIterator.from_resources(records).pluck_property("fqdn")))

    @property
    def certificate_arn(self) -> str:
        """The certificate's ARN, known once ACM has issued it."""
        return self._validation.certificate_arn
