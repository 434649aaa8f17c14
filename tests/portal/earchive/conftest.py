"""Closed cases to deliver to the e-archive, made through the apps' services: a grant decided,
paid and reported, and the checks every package must pass, written here without the portal's
own validator (`portal.earchive.validation`), so that a fault in it cannot hide one in a
package."""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from grants import services as grant_services
from grants.models import Application, FollowUpReport
from portal.earchive import standards as std
from tests.agreements.conftest import iop  # noqa: F401  (fixture)
from tests.grants.conftest import Grants, decided, grants, pay  # noqa: F401  (fixture)
from tests.organisations.factories import pdf_upload

NS = {"mets": std.METS, "xlink": std.XLINK, "csip": std.CSIP, "premis": std.PREMIS, "ead": std.EAD}


def closed_grant(g: Grants) -> Application:
    """Approved, paid in full, the follow-up report (with an attachment) approved."""
    application = decided(g)
    pay(g, application)
    report = FollowUpReport.objects.get(application=application)
    grant_services.report_save(
        report=report,
        actor=g.editor,
        narrative="Vi höll 30 kvällar <b>öppet</b> & fler kom än väntat.",
        activities=30,
        participants={"13–19": {"women": 12, "men": 10, "other": 1}},
        actual_costs={str(line.pk): line.amount for line in application.budget_lines.all()},
        other_income=Decimal(0),
    )
    grant_services.report_attachment_add(
        report=report, actor=g.editor, upload=pdf_upload("kvitton.pdf", b"%PDF-1.4 kvitton\n")
    )
    report = grant_services.report_submit(
        report=FollowUpReport.objects.get(pk=report.pk), actor=g.editor
    )
    report = FollowUpReport.objects.get(pk=report.pk)
    grant_services.report_review(
        report=report,
        actor=g.officer,
        approve=True,
        seen_version=grant_services.report_version(report),
    )
    return Application.objects.get(pk=application.pk)


@dataclass
class Unpacked:
    root: str
    files: dict[str, bytes]

    def xml(self, path: str) -> etree._ElementTree:
        return etree.fromstring(self.files[path]).getroottree()


def unpack(package: bytes) -> Unpacked:
    archive = zipfile.ZipFile(io.BytesIO(package))
    names = [name for name in archive.namelist() if not name.endswith("/")]
    roots = {name.split("/", 1)[0] for name in names}
    assert len(roots) == 1, roots
    return Unpacked(roots.pop(), {n.split("/", 1)[1]: archive.read(n) for n in names})


def shipped_schema() -> etree.XMLSchema:
    """The shipped schemas, read here on their own."""
    folder = std.directory() / "schemas"
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
        for ns, name in std.SCHEMA_FILES.items()
    )
    return etree.XMLSchema(
        etree.fromstring(
            f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
        )
    )


def listed_files(package: Unpacked, mets_path: str) -> list[tuple[str, int, str]]:
    """(path in the package, SIZE, CHECKSUM) of every file and metadata file a METS lists."""
    base = posixpath.dirname(mets_path)
    mets = package.xml(mets_path)
    found = []
    for element in mets.iterfind(".//mets:file", NS):
        href = element.find("mets:FLocat", NS).get(f"{{{std.XLINK}}}href")
        assert element.get("CHECKSUMTYPE") == "SHA-256"
        found.append(
            (
                posixpath.normpath(posixpath.join(base, href)),
                int(element.get("SIZE")),
                element.get("CHECKSUM"),
            )
        )
    for element in mets.iterfind(".//mets:mdRef", NS):
        href = element.get(f"{{{std.XLINK}}}href")
        found.append(
            (
                posixpath.normpath(posixpath.join(base, href)),
                int(element.get("SIZE")),
                element.get("CHECKSUM"),
            )
        )
    return found


def assert_valid_package(data: bytes) -> Unpacked:
    """Everything a package must be: schema-valid METS (both), PREMIS and EAD3; the CSIP and
    SIP profile's attributes and structure; every listed file present with its size and
    SHA-256; every file listed."""
    package = unpack(data)
    schema = shipped_schema()
    for path in (
        "METS.xml",
        "representations/rep1/METS.xml",
        "metadata/preservation/premis.xml",
        "metadata/descriptive/ead.xml",
    ):
        assert schema.validate(package.xml(path)), (path, [str(e) for e in schema.error_log])

    mets = package.xml("METS.xml").getroot()
    assert mets.get("OBJID") == package.root  # CSIP1, CSIPSTR2
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"  # SIP2
    assert mets.get("TYPE") == "Textual works – Digital"  # CSIP2
    assert mets.get(f"{{{std.CSIP}}}CONTENTINFORMATIONTYPE") == "OTHER"
    assert mets.get(f"{{{std.CSIP}}}OTHERCONTENTINFORMATIONTYPE")
    header = mets.find("mets:metsHdr", NS)
    assert header.get("CREATEDATE") and header.get(f"{{{std.CSIP}}}OAISPACKAGETYPE") == "SIP"
    creators = header.findall("mets:agent[@ROLE='CREATOR']", NS)
    assert len(creators) == 1  # CSIP11
    assert (creators[0].get("TYPE"), creators[0].get("OTHERTYPE")) == ("OTHER", "SOFTWARE")
    assert creators[0].find("mets:note", NS).get(f"{{{std.CSIP}}}NOTETYPE") == "SOFTWARE VERSION"
    assert header.find("mets:agent[@ROLE='ARCHIVIST']/mets:name", NS).text  # SIP9
    assert header.find("mets:agent[@OTHERROLE='SUBMITTER']/mets:name", NS).text  # SIP15
    uses = [group.get("USE") for group in mets.iterfind("mets:fileSec/mets:fileGrp", NS)]
    assert uses == ["Documentation", "Schemas", "Representations/rep1"]  # CSIP60, 113, 114
    struct = mets.findall("mets:structMap", NS)
    assert len(struct) == 1 and (struct[0].get("TYPE"), struct[0].get("LABEL")) == (
        "PHYSICAL",
        "CSIP",
    )
    divisions = [div.get("LABEL") for div in struct[0].findall("mets:div/mets:div", NS)]
    assert divisions == ["Metadata", "Documentation", "Schemas", "Representations"]
    pointer = struct[0].find("mets:div/mets:div[@LABEL='Representations']/mets:div/mets:mptr", NS)
    assert pointer.get(f"{{{std.XLINK}}}href") == "representations/rep1/METS.xml"
    ids = [element.get("ID") for element in mets.iter() if element.get("ID")]
    assert len(ids) == len(set(ids))

    representation = package.xml("representations/rep1/METS.xml").getroot()
    assert representation.get("OBJID") == "rep1"
    listed = listed_files(package, "METS.xml") + listed_files(
        package, "representations/rep1/METS.xml"
    )
    for path, size, checksum in listed:
        content = package.files[path]
        assert len(content) == size, path
        assert hashlib.sha256(content).hexdigest() == checksum, path
    assert {path for path, _size, _sum in listed} | {"METS.xml"} == set(package.files)
    assert any(path.startswith("representations/rep1/data/") for path, _s, _c in listed)
    return package
