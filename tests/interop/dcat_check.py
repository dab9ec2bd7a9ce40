"""Parses Portico's DCAT-AP output with rdflib and validates it with pySHACL against the
DCAT-AP 3.0.0 shapes (tests/interop/dcat-ap-3.0.0-SHACL.ttl, copied from SEMICeu's release).

Usage: dcat_check.py URL... — prints "conforms" and the number of triples, or the report.
"""
import os
import sys
import urllib.request

import pyshacl
import rdflib

shapes = rdflib.Graph().parse(
    os.path.join(os.path.dirname(__file__), "dcat-ap-3.0.0-SHACL.ttl"), format="turtle")
data = rdflib.Graph()
for url in sys.argv[1:]:
    with urllib.request.urlopen(url) as r:
        data.parse(data=r.read().decode("utf-8"), format="turtle", publicID=url)
conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
if not conforms:
    print(text)
    sys.exit(1)
print("conforms", len(data))
