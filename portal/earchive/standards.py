"""The standards an e-archive package follows, and the files of them the portal ships.

`standards/eark/` in the repository holds the XML schemas (METS 1.12, XLink, the DILCIS
extensions of CSIP and SIP 2.1.0, PREMIS 3.0, EAD3 1.1.1), the CSIP vocabularies and rules, with
their sources and licences (its README). Every package carries the schemas it uses in its own
`schemas/` folder, so that the archive can validate it without fetching anything."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

# FGS Paketstruktur 2.0 = E-ARK CSIP 2.1.0 + E-ARK SIP 2.1.0.
CSIP_PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
SPECIFICATION = "FGS Paketstruktur 2.0 (E-ARK CSIP 2.1.0, E-ARK SIP 2.1.0)"

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS = "http://www.loc.gov/premis/v3"
EAD = "http://ead3.archivists.org/schema/"

# namespace → the schema's file name in standards/eark/schemas/ and in a package's schemas/
SCHEMA_FILES: dict[str, str] = {
    XLINK: "xlink.xsd",  # first: mets.xsd imports it from the web otherwise
    METS: "mets.xsd",
    CSIP: "DILCISExtensionMETS.xsd",
    SIP: "DILCISExtensionSIPMETS.xsd",
    PREMIS: "premis-v3-0.xsd",
    EAD: "ead3.xsd",
}

# The content category of a case file (CSIP vocabulary "Content Category", CSIP2) and its
# content information type: none of the vocabulary's (no ERMS or SIARD XML is delivered, the
# case's documents and their description), so OTHER with a name of its own (CSIP4, CSIP5).
CONTENT_CATEGORY = "Textual works – Digital"
CONTENT_INFORMATION_TYPE = "OTHER"
OTHER_CONTENT_INFORMATION_TYPE = "Samverkansportalen case file"

REPRESENTATION = "rep1"


def directory() -> Path:
    """`standards/eark/` of the portal's source tree."""
    return Path(settings.BASE_DIR) / "standards" / "eark"


@cache
def schema_bytes(name: str) -> bytes:
    """A shipped schema file, exactly as shipped (it goes into every package)."""
    return (directory() / "schemas" / name).read_bytes()
