"""CKAN's own Python client, ckanapi, unchanged, against Portico's CKAN Action API.

Usage: ckan_client.py BASE_URL API_TOKEN ORGANISATION OTHER_ORGANISATION

Publishes a dataset with a CSV upload as the organisation's API client, then lists, searches,
shows, updates and reads the datastore as an anonymous re-user, and checks the errors CKAN's
clients expect. Prints one JSON line with what it saw; exits non-zero on the first surprise.
"""
import io
import json
import sys

import ckanapi

base, token, org, other_org = sys.argv[1:5]
publisher = ckanapi.RemoteCKAN(base, apikey=token, user_agent="portico-interop")
anonymous = ckanapi.RemoteCKAN(base, user_agent="portico-interop")
seen = {}

status = anonymous.action.status_show()
assert status["ckan_version"].startswith("2."), status

created = publisher.action.package_create(
    name="sofia-air-quality",
    title="Качество на въздуха в София",
    title_en="Air quality in Sofia",
    notes="Средноденонощни концентрации на фини прахови частици по станции.",
    notes_en="Daily mean concentrations of particulate matter by station.",
    owner_org=org,
    license_id="cc-by-4.0",
    tags=[{"name": "въздух"}, {"name": "air"}],
    groups=[{"name": "envi"}],
    frequency="DAILY",
    contact_email="opendata@sofia.example.bg",
)
assert created["state"] == "active", created
seen["created"] = created["name"]

csv = ("station,day,pm10,pm25\n"
       "Дружба,2026-01-01,41,28.5\n"
       "Надежда,2026-01-01,55,33.1\n"
       "Хиподрума,2026-01-01,37,21.0\n"
       "Дружба,2026-01-02,62,40.2\n").encode("utf-8")
resource = publisher.action.resource_create(
    package_id=created["id"], name="Измервания", format="CSV",
    upload=("measurements.csv", io.BytesIO(csv)))
assert resource["datastore_active"] is True, resource
seen["resource"] = resource["id"]

# A broken file is refused, naming its line; nothing is added.
try:
    publisher.action.resource_create(
        package_id=created["id"], name="Счупен", format="CSV",
        upload=("broken.csv", io.BytesIO(b"a,b\n1,2\n3,4,5\n")))
    raise SystemExit("a broken CSV was accepted")
except ckanapi.ValidationError as e:
    seen["broken_csv"] = e.error_dict["upload"][0]

# Anyone reads it.
assert "sofia-air-quality" in anonymous.action.package_list()
found = anonymous.action.package_search(
    q="въздуха", fq="organization:%s tags:air" % org, rows=10,
    **{"facet.field": json.dumps(["organization", "groups", "res_format", "license_id"])})
assert found["count"] == 1, found
seen["facets"] = {k: v for k, v in found["facets"].items()}
assert anonymous.action.package_search(fq="organization:%s" % other_org)["count"] == 0
shown = anonymous.action.package_show(id="sofia-air-quality")
assert shown["resources"][0]["id"] == resource["id"]
assert shown["title_translated"]["en"] == "Air quality in Sofia"
assert org in anonymous.action.organization_list()
organisation = anonymous.action.organization_show(id=org)
assert organisation["package_count"] == 1, organisation
assert "envi" in anonymous.action.group_list()
assert "въздух" in anonymous.action.tag_list()
assert anonymous.action.resource_show(id=resource["id"])["format"] == "CSV"

rows = anonymous.action.datastore_search(
    resource_id=resource["id"], filters={"station": "Дружба"}, sort="pm10 desc",
    fields=["station", "pm10"], limit=1)
assert rows["total"] == 2, rows
assert rows["records"][0]["pm10"] == 62, rows
assert [f["type"] for f in anonymous.action.datastore_search(
    resource_id=resource["id"], limit=0)["fields"]] == ["int", "text", "text", "int", "float"]
seen["datastore_q"] = anonymous.action.datastore_search(
    resource_id=resource["id"], q="надежда")["total"]

updated = publisher.action.package_update(
    id="sofia-air-quality", title="Качество на атмосферния въздух в София",
    tags=[{"name": "въздух"}, {"name": "air"}, {"name": "pm10"}])
seen["version"] = updated["version"]

# The errors CKAN's clients know.
try:
    anonymous.action.package_show(id="no-such-dataset")
    raise SystemExit("a missing dataset was shown")
except ckanapi.NotFound:
    seen["not_found"] = True
try:
    anonymous.action.package_create(name="anonymous-data", title="x", owner_org=org)
    raise SystemExit("an anonymous create was accepted")
except ckanapi.NotAuthorized:
    seen["anonymous_create"] = "refused"
try:
    publisher.action.package_create(name="other-data", title="x", owner_org=other_org)
    raise SystemExit("a create for another organisation was accepted")
except ckanapi.NotAuthorized:
    seen["other_org_create"] = "refused"
try:
    publisher.action.package_create(name="sofia-air-quality", title="x", owner_org=org)
    raise SystemExit("a taken name was accepted")
except ckanapi.ValidationError as e:
    seen["taken"] = e.error_dict["name"][0]
try:
    anonymous.action.package_search(fq="nonsense")
    raise SystemExit("a broken fq was accepted")
except ckanapi.SearchQueryError:
    seen["bad_fq"] = "refused"
try:
    anonymous.action.datastore_search_sql(sql="SELECT 1")
    raise SystemExit("SQL was run")
except ckanapi.CKANAPIError as e:
    seen["sql"] = "refused"

publisher.action.package_delete(id="sofia-air-quality")
try:
    anonymous.action.package_show(id="sofia-air-quality")
    raise SystemExit("a withdrawn dataset was shown")
except ckanapi.NotFound:
    seen["withdrawn"] = "hidden"
assert "sofia-air-quality" not in anonymous.action.package_list()
assert publisher.action.package_show(id="sofia-air-quality")["state"] == "deleted"

print(json.dumps(seen, ensure_ascii=False))
