"""Checks of an information package before it leaves the portal, with the shipped standards
only (nothing is fetched): the XML of METS, PREMIS and EAD3 against their schemas, the CSIP
rules (the E-ARK validator's Schematron rules of CSIP 2.1.0, `standards/eark/schematron/`) and
the SIP profile's, the package's structure, and every file's size and SHA-256 against the METS
file that lists it. `problems(package)` lists what is wrong; an empty list is a valid package."""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from lxml.isoschematron import Schematron

from portal.earchive import standards as std

NS = {"mets": std.METS, "xlink": std.XLINK, "csip": std.CSIP, "sip": std.SIP}
SVRL = "http://purl.oclc.org/dsdl/svrl"

# Placeholders in the CSIP rules, filled from the shipped vocabularies (as the E-ARK validator
# does from the DILCIS web site).
VOCABULARIES = {
    "@TYPE_vocabulary_test": ("@TYPE", "CSIPVocabularyContentCategory.xml"),
    "@csip:CONTENTINFORMATIONTYPE_vocabulary_test": (
        "@csip:CONTENTINFORMATIONTYPE",
        "CSIPVocabularyContentInformationType.xml",
    ),
    "@csip:OAISPACKAGETYPE_vocabulary_test": (
        "@csip:OAISPACKAGETYPE",
        "CSIPVocabularyOAISPackageType.xml",
    ),
    "@STATUS_vocabulary_test": ("@STATUS", "CSIPVocabularyStatus.xml"),
}
MIMETYPE_TEST = "@MIMETYPE_IANA_test"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@cache
def schema() -> etree.XMLSchema:
    """One schema of every namespace a package uses, each from its shipped file. XLink comes
    first, so that mets.xsd's import of it from the web is skipped as already done."""
    folder = std.directory() / "schemas"
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{(folder / name).as_uri()}"/>'
        for namespace, name in std.SCHEMA_FILES.items()
    )
    driver = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(driver.encode(), _parser()))


def _terms(file_name: str) -> list[str]:
    tree = etree.parse(str(std.directory() / "vocabularies" / file_name), _parser())
    return [str(term.text).strip() for term in tree.iter("{*}Term") if term.text]


def _any_of(attribute: str, values: list[str]) -> str:
    return "(" + " or ".join(f"{attribute} = '{value}'" for value in values) + ")"


@cache
def csip_rules() -> list[Schematron]:
    """The CSIP 2.1.0 rules for the package's METS, vocabularies filled in."""
    folder = std.directory() / "schematron" / "CSIP"
    tests = {
        placeholder: _any_of(attribute, _terms(file_name))
        for placeholder, (attribute, file_name) in VOCABULARIES.items()
    }
    media = (std.directory() / "vocabularies" / "IANA.txt").read_text(encoding="utf-8")
    tests[MIMETYPE_TEST] = _any_of("@MIMETYPE", [line for line in media.split() if line])
    rules = []
    for path in sorted(folder.glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        for placeholder, test in tests.items():
            text = text.replace(placeholder, escape(test, {'"': "&quot;"}))
        rules.append(
            Schematron(etree.fromstring(text.encode("utf-8"), _parser()), store_report=True)
        )
    return rules


@dataclass(frozen=True)
class Listed:
    """A file a METS document lists: where it says the file is, its size and checksum."""

    href: str
    size: int
    checksum: str
    checksum_type: str


def _listed(mets: Any, base: str) -> list[Listed]:
    found = []
    for element in mets.iterfind(".//mets:file", NS):
        locator = element.find("mets:FLocat", NS)
        href = locator.get(f"{{{std.XLINK}}}href") if locator is not None else ""
        found.append(
            Listed(
                posixpath.normpath(posixpath.join(base, href or "")),
                int(element.get("SIZE", "-1")),
                element.get("CHECKSUM", ""),
                element.get("CHECKSUMTYPE", ""),
            )
        )
    for element in mets.iterfind(".//mets:mdRef", NS):
        href = element.get(f"{{{std.XLINK}}}href") or ""
        found.append(
            Listed(
                posixpath.normpath(posixpath.join(base, href)),
                int(element.get("SIZE", "-1")),
                element.get("CHECKSUM", ""),
                element.get("CHECKSUMTYPE", ""),
            )
        )
    return found


def _schema_problems(name: str, document: Any) -> list[str]:
    checker = schema()
    if checker.validate(document):
        return []
    return [f"{name}: {error.line}: {error.message}" for error in checker.error_log]


def _sip_problems(mets: Any) -> list[str]:
    """The SIP 2.1.0 profile's rules the package must meet (SIP2, SIP4, SIP9–20)."""
    problems = []
    if mets.get("PROFILE") != std.SIP_PROFILE:
        problems.append("SIP2: mets/@PROFILE is not the E-ARK SIP profile.")
    header = mets.find("mets:metsHdr", NS)
    if header is None or header.get(f"{{{std.CSIP}}}OAISPACKAGETYPE") != "SIP":
        problems.append("SIP4: metsHdr/@csip:OAISPACKAGETYPE is not SIP.")
        return problems
    agents = header.findall("mets:agent", NS)
    creators = [a for a in agents if a.get("ROLE") == "CREATOR"]
    if len(creators) != 1 or creators[0].get("OTHERTYPE") != "SOFTWARE":
        problems.append("CSIP11: exactly one CREATOR agent, the software, is expected.")
    for agent in agents:
        if agent.get("ROLE") == "ARCHIVIST" and agent.get("TYPE") not in (
            "ORGANIZATION",
            "INDIVIDUAL",
        ):
            problems.append("SIP11: the archival creator agent's TYPE.")
        for note in agent.findall("mets:note", NS):
            if agent.get("ROLE") != "CREATOR" and (
                note.get(f"{{{std.CSIP}}}NOTETYPE") != "IDENTIFICATIONCODE"
            ):
                problems.append("SIP14/SIP20: an agent's note is not an IDENTIFICATIONCODE.")
    submitters = [a for a in agents if a.get("OTHERROLE") == "SUBMITTER"]
    if len(submitters) != 1 or submitters[0].findtext("mets:name", "", NS) == "":
        problems.append("SIP15–18: exactly one submitting agent with a name is expected.")
    return problems


def problems(package: bytes, *, rules: bool = True) -> list[str]:
    """What is wrong with a package ZIP; [] when nothing is. `rules=False` leaves out the CSIP
    Schematron rules (the slowest part) for a quick check."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
    except zipfile.BadZipFile:
        return ["The package is not a ZIP file."]
    names = [name for name in archive.namelist() if not name.endswith("/")]
    roots = {name.split("/", 1)[0] for name in names}
    if len(roots) != 1:
        return ["CSIPSTR1: the package must have exactly one root folder."]
    root = roots.pop()
    contents = {name.split("/", 1)[1]: archive.read(name) for name in names}
    if "METS.xml" not in contents:
        return ["CSIPSTR4: the package has no METS.xml in its root folder."]
    found: list[str] = []
    parsed: dict[str, Any] = {}
    for name in contents:
        if name.endswith(".xml"):
            try:
                parsed[name] = etree.fromstring(contents[name], _parser()).getroottree()
            except etree.XMLSyntaxError as error:
                found.append(f"{name}: not well-formed XML ({error}).")
    if found:
        return found
    mets = parsed["METS.xml"].getroot()
    if mets.get("OBJID") != root:
        found.append("CSIP1/CSIPSTR2: mets/@OBJID is not the package's root folder.")
    found += _sip_problems(mets)
    listed = _listed(mets, "")
    for name, tree in parsed.items():
        if name.endswith("METS.xml") and name != "METS.xml":
            base = posixpath.dirname(name)
            if tree.getroot().get("OBJID") != posixpath.basename(base):
                found.append(f"CSIP1: {name}: OBJID is not the representation's folder.")
            listed += _listed(tree.getroot(), base)
        if name.endswith(".xml"):
            found += _schema_problems(name, tree)
    seen = set()
    for item in listed:
        seen.add(item.href)
        content = contents.get(item.href)
        if content is None:
            found.append(f"{item.href}: listed in METS but not in the package.")
            continue
        if item.checksum_type != "SHA-256":
            found.append(f"{item.href}: checksum type {item.checksum_type}, not SHA-256.")
        if item.size != len(content):
            found.append(f"{item.href}: size {len(content)}, METS says {item.size}.")
        if item.checksum.lower() != hashlib.sha256(content).hexdigest():
            found.append(f"{item.href}: SHA-256 does not match METS.")
    for name in contents:
        if name != "METS.xml" and name not in seen:
            found.append(f"{name}: in the package but listed in no METS file.")
    if rules:
        for rule in csip_rules():
            rule.validate(parsed["METS.xml"])
            report = rule.validation_report
            for failed in report.iter(f"{{{SVRL}}}failed-assert"):
                if failed.get("role") == "ERROR":
                    text = re.sub(r"\s+", " ", failed.findtext(f"{{{SVRL}}}text") or "")
                    found.append(f"{failed.get('id')}: {text[:200]}")
    return found
