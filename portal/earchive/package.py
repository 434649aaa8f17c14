"""A closed case as the e-archive receives it: the description a domain app gives of one case
(`Package`), and `write_package`, which writes it as an FGS 2.0 / E-ARK CSIP information
package in a ZIP.

The package (one root folder named after its OBJID, CSIPSTR1–2):

    <OBJID>/METS.xml                              the package: agents, metadata, files, structure
    <OBJID>/metadata/descriptive/ead.xml          the case described in EAD3
    <OBJID>/metadata/preservation/premis.xml      PREMIS 3: the case, its files, events, agents
    <OBJID>/representations/rep1/METS.xml         the representation's files
    <OBJID>/representations/rep1/data/…           the case's documents, as stored
    <OBJID>/schemas/…                             the XML schemas the package uses
    <OBJID>/documentation/om-paketet.txt          what the package holds, in plain Swedish

Every file's size and SHA-256 are in the METS file that lists it (the root METS lists the
metadata, schemas, documentation and the representation's METS; that one lists the documents),
and in PREMIS. A document handed over with the checksum recorded when it was stored
(`Document.expected_sha256`) must still have it: a file that changed on disk is never delivered
as if it were the record."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from portal.earchive import standards as std

SOFTWARE = "Samverkansportalen"
CHECKSUM_TYPE = "SHA-256"
XML_MIMETYPE = "text/xml"

# Already compressed: stored in the ZIP as they are.
_STORED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# How a document's format is named in METS (sip:FILEFORMATNAME) and PREMIS (formatName).
FORMAT_NAMES = {
    "application/pdf": "Portable Document Format",
    "application/vnd.oasis.opendocument.text": "OpenDocument Text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "Microsoft Word (Office Open XML)"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "Microsoft Excel (Office Open XML)"
    ),
    "image/jpeg": "JPEG File Interchange Format",
    "image/png": "Portable Network Graphics",
    "text/plain": "Plain Text File",
    "text/xml": "Extensible Markup Language",
}

# Characters XML 1.0 cannot carry (control characters a person may have pasted into a text).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a file name inside the package may hold.
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class NotArchivable(ValidationError):
    """The case cannot be delivered to the e-archive (not closed, a stored file missing or
    changed); the message says why, in the portal's language."""


@dataclass(frozen=True)
class Party:
    """Someone the case concerns, as the description names them: an organisation (with its
    organisationsnummer) or a public body (`kind="corporate"`), or a person (`"person"`)."""

    name: str
    role: str
    kind: str = "corporate"
    identifier: str = ""


@dataclass(frozen=True)
class Document:
    """One of the case's documents: its place under the representation's `data/` folder, its
    bytes exactly as kept, what it is, when it was made and, for a stored file, the checksum
    recorded when it was stored. `original_name` is the name the file was sent in under."""

    path: str
    content: bytes
    mimetype: str
    title: str
    created: datetime
    expected_sha256: str = ""
    original_name: str = ""
    format_name: str = ""
    format_version: str = ""


@dataclass(frozen=True)
class Event:
    """One event of the case's history (an audit-trail row): what happened (`type`, the
    portal's action name, and `detail`, a sentence), when, who did it (as recorded) and which of
    the package's documents it concerns (their `Document.path`)."""

    identifier: str
    type: str
    at: datetime
    detail: str
    agent: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Package:
    """What a domain app says about one closed case. `object_id` becomes the package's OBJID
    and root folder; `reference` is the case's registration number (diarienummer);
    `archivist` the public body whose records they are (arkivbildare) and `submitter` the
    municipality or region that delivers them; `start` and `end` the dates the case covers;
    `facts` what the description lists about the case as (label, value)."""

    object_id: str
    title: str
    kind: str
    reference: str
    archivist: str
    submitter: str
    start: date | None
    end: date | None
    facts: tuple[tuple[str, str], ...] = ()
    parties: tuple[Party, ...] = ()
    documents: tuple[Document, ...] = ()
    events: tuple[Event, ...] = ()
    archivist_code: str = ""


@dataclass(frozen=True)
class _File:
    """A file of the package as written: its path in the package, its bytes and their facts."""

    path: str
    content: bytes
    mimetype: str
    created: datetime
    id: str
    format_name: str = ""
    format_version: str = ""
    sha256: str = field(init=False)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())
        object.__setattr__(self, "size", len(self.content))


def safe_object_id(text: str) -> str:
    """A package identifier from a registration number ("KFN 2026/17" → "KFN-2026-17"): it is
    also the package's folder name, so only letters, digits, '.', '_' and '-'."""
    return _UNSAFE_NAME.sub("-", text).strip("-.") or "paket"


def safe_file_name(text: str, default: str = "dokument") -> str:
    """A file name that is the same on every file system: no path, no odd characters."""
    name = _UNSAFE_NAME.sub("-", text.replace("\\", "/").rsplit("/", 1)[-1]).strip("-.")
    return name[:120] or default


@cache
def software_version() -> str:
    """The portal's version (pyproject.toml), recorded as the package's creating software."""
    import tomllib

    with open(settings.BASE_DIR / "pyproject.toml", "rb") as pyproject:
        return str(tomllib.load(pyproject)["project"]["version"])


def _text(value: Any) -> str:
    """A value as XML text: what people typed, without the characters XML cannot hold."""
    return _NOT_XML.sub("", str(value))


def _moment(value: datetime) -> str:
    """xs:dateTime in the portal's time zone, to the second."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat(timespec="seconds")


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


# --- METS -------------------------------------------------------------------------------------

M = std.METS
_NSMAP = {"mets": M, "xlink": std.XLINK, "xsi": std.XSI, "csip": std.CSIP, "sip": std.SIP}


def _schema_location(prefix: str) -> str:
    used = (std.METS, std.XLINK, std.CSIP, std.SIP)
    return " ".join(f"{ns} {prefix}schemas/{std.SCHEMA_FILES[ns]}" for ns in used)


def _mets_root(*, object_id: str, label: str, schemas: str) -> Any:
    root = etree.Element(_q(M, "mets"), nsmap=_NSMAP)
    root.set(_q(std.XSI, "schemaLocation"), _schema_location(schemas))
    root.set("OBJID", _text(object_id))
    root.set("LABEL", _text(label))
    root.set("TYPE", std.CONTENT_CATEGORY)
    root.set(_q(std.CSIP, "CONTENTINFORMATIONTYPE"), std.CONTENT_INFORMATION_TYPE)
    root.set(_q(std.CSIP, "OTHERCONTENTINFORMATIONTYPE"), std.OTHER_CONTENT_INFORMATION_TYPE)
    root.set("PROFILE", std.SIP_PROFILE)
    return root


def _mets_header(
    root: Any,
    *,
    created: datetime,
    package: Package | None = None,
    submission_agreement: str = "",
) -> None:
    header = _el(
        root,
        _q(M, "metsHdr"),
        CREATEDATE=_moment(created),
        LASTMODDATE=_moment(created),
        RECORDSTATUS="NEW",
    )
    header.set(_q(std.CSIP, "OAISPACKAGETYPE"), "SIP")
    # CSIP10–16: the software that made the package.
    software = _el(header, _q(M, "agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(software, _q(M, "name"), SOFTWARE)
    note = _el(software, _q(M, "note"), software_version())
    note.set(_q(std.CSIP, "NOTETYPE"), "SOFTWARE VERSION")
    if package is None:
        return
    # SIP9–14: the archival creator (arkivbildare), the public body whose records these are.
    archivist = _el(header, _q(M, "agent"), ROLE="ARCHIVIST", TYPE="ORGANIZATION")
    _el(archivist, _q(M, "name"), package.archivist)
    if package.archivist_code:
        code = _el(archivist, _q(M, "note"), package.archivist_code)
        code.set(_q(std.CSIP, "NOTETYPE"), "IDENTIFICATIONCODE")
    # SIP15–20: who submits the package (the municipality or region). Its role is OTHER/
    # SUBMITTER: CSIP11 allows one CREATOR agent only, the software above.
    submitter = _el(
        header, _q(M, "agent"), ROLE="OTHER", OTHERROLE="SUBMITTER", TYPE="ORGANIZATION"
    )
    _el(submitter, _q(M, "name"), package.submitter)
    if submission_agreement:  # SIP5: the leveransöverenskommelse
        _el(header, _q(M, "altRecordID"), submission_agreement, TYPE="SUBMISSIONAGREEMENT")


def _mets_file(group: Any, item: _File, href: str) -> None:
    element = _el(
        group,
        _q(M, "file"),
        ID=item.id,
        MIMETYPE=item.mimetype,
        SIZE=str(item.size),
        CREATED=_moment(item.created),
        CHECKSUM=item.sha256,
        CHECKSUMTYPE=CHECKSUM_TYPE,
    )
    if item.format_name:
        element.set(_q(std.SIP, "FILEFORMATNAME"), _text(item.format_name))
    if item.format_version:
        element.set(_q(std.SIP, "FILEFORMATVERSION"), _text(item.format_version))
    locator = _el(element, _q(M, "FLocat"), LOCTYPE="URL")
    locator.set(_q(std.XLINK, "type"), "simple")
    locator.set(_q(std.XLINK, "href"), _text(href))


def _md_ref(parent: Any, item: _File, *, mdtype: str, version: str) -> None:
    ref = _el(
        parent,
        _q(M, "mdRef"),
        LOCTYPE="URL",
        MDTYPE=mdtype,
        MDTYPEVERSION=version,
        MIMETYPE=item.mimetype,
        SIZE=str(item.size),
        CREATED=_moment(item.created),
        CHECKSUM=item.sha256,
        CHECKSUMTYPE=CHECKSUM_TYPE,
    )
    ref.set(_q(std.XLINK, "type"), "simple")
    ref.set(_q(std.XLINK, "href"), item.path)


def _div(parent: Any, *, id: str, label: str, **attrs: str) -> Any:
    return _el(parent, _q(M, "div"), ID=id, LABEL=label, **attrs)


def _representation_mets(data: list[_File], *, created: datetime, title: str) -> bytes:
    """representations/rep1/METS.xml: the representation's documents (CSIPSTR12)."""
    root = _mets_root(object_id=std.REPRESENTATION, label=title, schemas="../../")
    _mets_header(root, created=created)
    files = _el(root, _q(M, "fileSec"), ID="rep-filesec")
    group = _el(files, _q(M, "fileGrp"), ID="rep-grp-data", USE="Data")
    for item in data:
        _mets_file(group, item, item.path.removeprefix(f"representations/{std.REPRESENTATION}/"))
    struct = _el(root, _q(M, "structMap"), ID="rep-structmap", TYPE="PHYSICAL", LABEL="CSIP")
    top = _div(struct, id="rep-div", label=std.REPRESENTATION)
    _div(top, id="rep-div-metadata", label="Metadata")
    data_div = _div(top, id="rep-div-data", label="Data")
    for item in data:
        _el(data_div, _q(M, "fptr"), FILEID=item.id)
    return _xml(root)


def _package_mets(
    package: Package,
    *,
    created: datetime,
    ead: _File,
    premis: _File,
    documentation: list[_File],
    schemas: list[_File],
    representation: _File,
    submission_agreement: str,
) -> bytes:
    root = _mets_root(object_id=package.object_id, label=package.title, schemas="")
    _mets_header(root, created=created, package=package, submission_agreement=submission_agreement)
    dmd = _el(root, _q(M, "dmdSec"), ID="dmd-ead", CREATED=_moment(created), STATUS="CURRENT")
    _md_ref(dmd, ead, mdtype="EAD", version="EAD3 1.1.1")
    amd = _el(root, _q(M, "amdSec"))
    digiprov = _el(
        amd, _q(M, "digiprovMD"), ID="digiprov-premis", CREATED=_moment(created), STATUS="CURRENT"
    )
    _md_ref(digiprov, premis, mdtype="PREMIS", version="3.0")
    files = _el(root, _q(M, "fileSec"), ID="filesec")
    groups = (
        ("grp-documentation", "Documentation", documentation),
        ("grp-schemas", "Schemas", schemas),
        (f"grp-{std.REPRESENTATION}", f"Representations/{std.REPRESENTATION}", [representation]),
    )
    for group_id, use, members in groups:
        group = _el(files, _q(M, "fileGrp"), ID=group_id, USE=use)
        if use.startswith("Representations"):  # CSIP62–63
            group.set(_q(std.CSIP, "CONTENTINFORMATIONTYPE"), std.CONTENT_INFORMATION_TYPE)
            group.set(
                _q(std.CSIP, "OTHERCONTENTINFORMATIONTYPE"), std.OTHER_CONTENT_INFORMATION_TYPE
            )
        for item in members:
            _mets_file(group, item, item.path)
    struct = _el(root, _q(M, "structMap"), ID="structmap", TYPE="PHYSICAL", LABEL="CSIP")
    top = _div(struct, id="div-package", label=package.object_id)
    _div(top, id="div-metadata", label="Metadata", ADMID="digiprov-premis", DMDID="dmd-ead")
    for group_id, use, _members in groups:
        if use.startswith("Representations"):
            representations = _div(top, id="div-representations", label="Representations")
            _el(representations, _q(M, "fptr"), FILEID=group_id)
            rep = _div(representations, id=f"div-{std.REPRESENTATION}", label=use)
            pointer = _el(rep, _q(M, "mptr"), LOCTYPE="URL")
            pointer.set(_q(std.XLINK, "type"), "simple")
            pointer.set(_q(std.XLINK, "href"), representation.path)
            pointer.set(_q(std.XLINK, "title"), group_id)
        else:
            division = _div(top, id=f"div-{use.lower()}", label=use)
            _el(division, _q(M, "fptr"), FILEID=group_id)
    return _xml(root)


# --- PREMIS -----------------------------------------------------------------------------------

P = std.PREMIS


def _identifier(parent: Any, element: str, kind: str, value: str, prefix: str = "") -> Any:
    holder = _el(parent, _q(P, element))
    _el(holder, _q(P, f"{prefix or element}Type"), kind)
    _el(holder, _q(P, f"{prefix or element}Value"), value)
    return holder


def _premis(
    package: Package, data: list[_File], documents: list[Document], *, created: datetime
) -> bytes:
    """The case (an intellectual entity), its documents with their fixity, the case's history
    and the package's creation as events, and who acted in them."""
    root = etree.Element(_q(P, "premis"), {"version": "3.0"}, nsmap={None: P, "xsi": std.XSI})
    root.set(_q(std.XSI, "schemaLocation"), f"{P} ../../schemas/{std.SCHEMA_FILES[std.PREMIS]}")
    entity = _el(root, _q(P, "object"))
    entity.set(_q(std.XSI, "type"), "intellectualEntity")
    _identifier(entity, "objectIdentifier", "local", package.object_id)
    if package.reference:
        _identifier(entity, "objectIdentifier", "diarienummer", package.reference)
    _el(entity, _q(P, "originalName"), package.title)
    for item, document in zip(data, documents, strict=True):
        obj = _el(root, _q(P, "object"))
        obj.set(_q(std.XSI, "type"), "file")
        _identifier(obj, "objectIdentifier", "local", item.path)
        characteristics = _el(obj, _q(P, "objectCharacteristics"))
        _el(characteristics, _q(P, "compositionLevel"), "0")
        fixity = _el(characteristics, _q(P, "fixity"))
        _el(fixity, _q(P, "messageDigestAlgorithm"), CHECKSUM_TYPE)
        _el(fixity, _q(P, "messageDigest"), item.sha256)
        _el(fixity, _q(P, "messageDigestOriginator"), SOFTWARE)
        _el(characteristics, _q(P, "size"), str(item.size))
        designation = _el(_el(characteristics, _q(P, "format")), _q(P, "formatDesignation"))
        _el(designation, _q(P, "formatName"), item.format_name or item.mimetype)
        if item.format_version:
            _el(designation, _q(P, "formatVersion"), item.format_version)
        _el(obj, _q(P, "originalName"), document.original_name or document.title)
        relation = _el(obj, _q(P, "relationship"))
        _el(relation, _q(P, "relationshipType"), "structural")
        _el(relation, _q(P, "relationshipSubType"), "is included in")
        _identifier(relation, "relatedObjectIdentifier", "local", package.object_id)

    people = sorted({event.agent for event in package.events if event.agent})
    agent_ids = {name: f"agent-{number}" for number, name in enumerate(people, start=1)}
    paths = {document.path: item.path for item, document in zip(data, documents, strict=True)}
    events = [
        *package.events,
        Event(
            identifier="package-creation",
            type="information package creation",
            at=created,
            detail=_("Information package created for delivery to the e-archive (%(spec)s).")
            % {"spec": std.SPECIFICATION},
            documents=tuple(document.path for document in documents),
        ),
    ]
    for event in events:
        element = _el(root, _q(P, "event"))
        _identifier(element, "eventIdentifier", "local", event.identifier)
        _el(element, _q(P, "eventType"), event.type)
        _el(element, _q(P, "eventDateTime"), _moment(event.at))
        _el(_el(element, _q(P, "eventDetailInformation")), _q(P, "eventDetail"), event.detail)
        _el(_el(element, _q(P, "eventOutcomeInformation")), _q(P, "eventOutcome"), "success")
        agent = agent_ids.get(event.agent, "agent-software")
        linking = _identifier(element, "linkingAgentIdentifier", "local", agent)
        _el(linking, _q(P, "linkingAgentRole"), "executing program" if not event.agent else "actor")
        for path in event.documents:
            if path in paths:
                _identifier(element, "linkingObjectIdentifier", "local", paths[path])
        _identifier(element, "linkingObjectIdentifier", "local", package.object_id)

    software = _el(root, _q(P, "agent"))
    _identifier(software, "agentIdentifier", "local", "agent-software")
    _el(software, _q(P, "agentName"), SOFTWARE)
    _el(software, _q(P, "agentType"), "software")
    _el(software, _q(P, "agentVersion"), software_version())
    for name, identifier in agent_ids.items():
        person = _el(root, _q(P, "agent"))
        _identifier(person, "agentIdentifier", "local", identifier)
        _el(person, _q(P, "agentName"), name)
        _el(person, _q(P, "agentType"), "person")
    return _xml(root)


# --- EAD3 -------------------------------------------------------------------------------------

E = std.EAD


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


def _ead(
    package: Package, data: list[_File], documents: list[Document], *, created: datetime
) -> bytes:
    """The case as an archival description: one file (akt) with its documents as items."""
    root = etree.Element(_q(E, "ead"), nsmap={None: E, "xsi": std.XSI})
    root.set(_q(std.XSI, "schemaLocation"), f"{E} ../../schemas/{std.SCHEMA_FILES[std.EAD]}")
    control = _el(root, _q(E, "control"))
    _el(control, _q(E, "recordid"), package.object_id)
    titles = _el(_el(control, _q(E, "filedesc")), _q(E, "titlestmt"))
    _el(titles, _q(E, "titleproper"), package.title)
    _el(control, _q(E, "maintenancestatus"), value="new")
    agency = _el(control, _q(E, "maintenanceagency"))
    _el(agency, _q(E, "agencyname"), package.archivist)
    history = _el(control, _q(E, "maintenancehistory"))
    made = _el(history, _q(E, "maintenanceevent"))
    _el(made, _q(E, "eventtype"), value="created")
    _el(made, _q(E, "eventdatetime"), _moment(created), standarddatetime=_moment(created))
    _el(made, _q(E, "agenttype"), value="machine")
    _el(made, _q(E, "agent"), f"{SOFTWARE} {software_version()}")

    description = _el(root, _q(E, "archdesc"), level="file")
    did = _el(description, _q(E, "did"))
    if package.reference:
        _el(did, _q(E, "unitid"), package.reference)
    _el(did, _q(E, "unittitle"), package.title)
    if package.start or package.end:
        structured = _el(did, _q(E, "unitdatestructured"))
        dates = _el(structured, _q(E, "daterange"))
        if package.start:
            _el(dates, _q(E, "fromdate"), _iso(package.start), standarddate=_iso(package.start))
        if package.end:
            _el(dates, _q(E, "todate"), _iso(package.end), standarddate=_iso(package.end))
    origination = _el(did, _q(E, "origination"))
    _el(_el(origination, _q(E, "corpname")), _q(E, "part"), package.archivist)
    language = _el(_el(did, _q(E, "langmaterial")), _q(E, "language"), "svenska")
    language.set("langcode", "swe")
    scope = _el(description, _q(E, "scopecontent"))
    _el(scope, _q(E, "p"), package.kind)
    if package.facts:
        facts = _el(_el(description, _q(E, "odd")), _q(E, "list"), listtype="deflist")
        for label, value in package.facts:
            item = _el(facts, _q(E, "defitem"))
            _el(item, _q(E, "label"), label)
            _el(item, _q(E, "item"), value or "–")
    if package.parties:
        access = _el(description, _q(E, "controlaccess"))
        for party in package.parties:
            tag = "persname" if party.kind == "person" else "corpname"
            attrs = {"relator": party.role}
            if party.identifier:
                attrs["identifier"] = party.identifier
            _el(_el(access, _q(E, tag), **attrs), _q(E, "part"), party.name)
    if documents:
        dsc = _el(description, _q(E, "dsc"))
        for number, (item, document) in enumerate(zip(data, documents, strict=True), start=1):
            component = _el(dsc, _q(E, "c"), id=f"c-{number}", level="item")
            cdid = _el(component, _q(E, "did"))
            _el(cdid, _q(E, "unittitle"), document.title)
            _el(cdid, _q(E, "unitdate"), _iso(document.created), normal=_iso(document.created))
            _el(
                cdid,
                _q(E, "dao"),
                daotype="borndigital",
                href=f"../../{item.path}",
                linktitle=document.original_name or document.title,
            )
    return _xml(root)


# --- the package ------------------------------------------------------------------------------


def _documentation(package: Package, data: list[_File], *, created: datetime) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "earchive/documentation.txt",
            {
                "package": package,
                "files": data,
                "created": timezone.localtime(created),
                "software": SOFTWARE,
                "version": software_version(),
                "specification": std.SPECIFICATION,
            },
        )
    return _text(text).encode("utf-8")


def _checked(document: Document) -> None:
    if document.expected_sha256:
        actual = hashlib.sha256(document.content).hexdigest()
        if actual != document.expected_sha256.lower():
            raise NotArchivable(
                _(
                    "The stored file “%(name)s” no longer matches the checksum recorded when it "
                    "was stored. The case is not delivered: the file must be restored first."
                )
                % {"name": document.original_name or document.title},
                code="checksum",
            )


def write_package(
    package: Package, *, created: datetime | None = None, submission_agreement: str = ""
) -> bytes:
    """The information package of `package` as a ZIP (CSIPSTR3) with one root folder named
    after its OBJID. Pure: the same description and `created` give the same package.
    `submission_agreement` is the delivery agreement's reference (SIP5), when there is one."""
    created = created or timezone.now()
    prefix = f"representations/{std.REPRESENTATION}/"
    paths = [document.path for document in package.documents]
    if len(set(paths)) != len(paths):
        raise ValueError(f"Two documents of {package.object_id} have the same path.")
    data: list[_File] = []
    for number, document in enumerate(package.documents, start=1):
        _checked(document)
        data.append(
            _File(
                path=f"{prefix}data/{document.path}",
                content=document.content,
                mimetype=document.mimetype,
                created=document.created,
                id=f"file-data-{number}",
                format_name=document.format_name or FORMAT_NAMES.get(document.mimetype, ""),
                format_version=document.format_version,
            )
        )
    documents = list(package.documents)
    representation = _File(
        path=f"{prefix}METS.xml",
        content=_representation_mets(data, created=created, title=package.title),
        mimetype=XML_MIMETYPE,
        created=created,
        id=f"file-{std.REPRESENTATION}-mets",
        format_name=FORMAT_NAMES[XML_MIMETYPE],
    )
    ead = _File(
        path="metadata/descriptive/ead.xml",
        content=_ead(package, data, documents, created=created),
        mimetype=XML_MIMETYPE,
        created=created,
        id="file-ead",
    )
    premis = _File(
        path="metadata/preservation/premis.xml",
        content=_premis(package, data, documents, created=created),
        mimetype=XML_MIMETYPE,
        created=created,
        id="file-premis",
    )
    schemas = [
        _File(
            path=f"schemas/{name}",
            content=std.schema_bytes(name),
            mimetype=XML_MIMETYPE,
            created=created,
            id=f"file-schema-{number}",
            format_name="XML Schema Definition",
        )
        for number, name in enumerate(std.SCHEMA_FILES.values(), start=1)
    ]
    documentation = [
        _File(
            path="documentation/om-paketet.txt",
            content=_documentation(package, data, created=created),
            mimetype="text/plain",
            created=created,
            id="file-documentation-1",
            format_name=FORMAT_NAMES["text/plain"],
        )
    ]
    mets = _package_mets(
        package,
        created=created,
        ead=ead,
        premis=premis,
        documentation=documentation,
        schemas=schemas,
        representation=representation,
        submission_agreement=submission_agreement,
    )
    members = [
        ("METS.xml", mets, XML_MIMETYPE),
        *((f.path, f.content, f.mimetype) for f in (ead, premis, *documentation, *schemas)),
        (representation.path, representation.content, XML_MIMETYPE),
        *((f.path, f.content, f.mimetype) for f in data),
    ]
    buffer = io.BytesIO()
    stamp = timezone.localtime(created).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content, mimetype in members:
            info = zipfile.ZipInfo(f"{package.object_id}/{path}", date_time=stamp)
            info.compress_type = (
                zipfile.ZIP_STORED if mimetype in _STORED_TYPES else zipfile.ZIP_DEFLATED
            )
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
        # CSIPSTR13: the representation's own metadata folder (its files are described in the
        # package's PREMIS, so it stays empty)
        folder = zipfile.ZipInfo(f"{package.object_id}/{prefix}metadata/", date_time=stamp)
        folder.external_attr = (0o40755 << 16) | 0x10
        archive.writestr(folder, b"")
    return buffer.getvalue()
