"""Delivery to the e-archive: a closed case as an information package after FGS Paketstruktur
2.0, which is E-ARK CSIP 2.1.0 together with the E-ARK SIP profile 2.1.0 (Riksarkivet's
FGS for package structure since 2023-03-30).

The municipality's archivist hands closed grant cases and IOP agreements over to the
e-archive (slutarkiv or mellanarkiv). Each case becomes one package: a root `METS.xml`, the
case's description as EAD3 in `metadata/descriptive/`, its history and the package's creation as
PREMIS 3 events in `metadata/preservation/`, the case's documents in
`representations/rep1/data/` (described by `representations/rep1/METS.xml`), the XML schemas
in `schemas/` and a short description of the delivery in `documentation/`.

- `package`: what a domain app describes (`Package`, `Document`, `Event`, `Party`) and
  `write_package`, which turns a description into the package's ZIP;
- `standards`: the shipped schemas and profile values (`standards/eark/` in the repository);
- `validation`: checks of a package against the schemas and the CSIP/SIP rules;
- `documents`: the case's audit trail as PDF/A, the same for every kind of case;
- `services` and `tasks`: the batch an administrator starts in the admin, built by a worker;
- `admin`: the "Export to e-archive" action of the domain apps' admin lists.

The domain apps describe their cases (`grants.archive`, `agreements.archive`) and register them
as archive sources (`portal.registry.register_archive_source`); this package knows no domain."""
