"""Parses Portico's DCAT-AP output with rdflib and validates it with pySHACL against the
DCAT-AP 3.0.0 shapes: SEMIC's release file, unchanged, read where it is kept beside the project
(../shared/data/dcat-ap-3.0.0/dcat-ap-SHACL.ttl from the repository's root; it is not copied into
the project), or from PORTICO_DCAT_SHAPES.

Usage: dcat_check.py URL... — prints "conforms" and the number of triples, or the report. Each
URL is read as Turtle, or as RDF/XML when its path ends in .rdf, or as JSON-LD in .jsonld.
"""
import os
import sys
import urllib.parse
import urllib.request

import pyshacl
import rdflib

SHAPES = os.environ.get("PORTICO_DCAT_SHAPES") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "data", "dcat-ap-3.0.0",
    "dcat-ap-SHACL.ttl")
if not os.path.isfile(SHAPES):
    sys.exit(f"the DCAT-AP 3.0.0 SHACL shapes are not at {SHAPES}: set PORTICO_DCAT_SHAPES")
shapes = rdflib.Graph().parse(SHAPES, format="turtle")
data = rdflib.Graph()
def syntax(url):
    path = urllib.parse.urlparse(url).path
    if path.endswith(".rdf"):
        return "xml"
    if path.endswith(".jsonld"):
        return "json-ld"
    return "turtle"


for url in sys.argv[1:]:
    with urllib.request.urlopen(url) as r:
        data.parse(data=r.read().decode("utf-8"), format=syntax(url), publicID=url)
conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
if not conforms:
    print(text)
    sys.exit(1)
print("conforms", len(data))
