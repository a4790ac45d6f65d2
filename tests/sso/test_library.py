"""The SAML library's native pair: xmlsec's and lxml's wheels must embed the same libxml2
(requirements.txt pins them together); a mismatch fails at import, so fail here first."""

import lxml.etree
import xmlsec


def test_xmlsec_and_lxml_share_one_libxml2():
    assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION
