"""Every SCIM answer is written by one encoder: compact UTF-8, byte for byte what the standard
library writes, including for what orjson alone refuses."""

import json

from provisioning.scim.errors import scim_json_dumps


def stdlib(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def test_the_same_bytes_as_the_standard_library():
    doc = {
        "userName": 'José Ñandú 東京 <a&b> "q" \\ \n\t\u2028',
        "active": True,
        "n": [0, -1, 2**63 - 1],
        "none": None,
        "meta": {"location": "http://testserver/scim/v2/Users/1"},
    }
    assert scim_json_dumps(doc) == stdlib(doc)


def test_an_integer_beyond_64_bits_is_written_too():
    doc = {"totalResults": 2**70}
    assert scim_json_dumps(doc) == stdlib(doc) == b'{"totalResults":1180591620717411303424}'
