### The open data block's words in English. Ids are the keys the code uses, with dots and
### underscores written as hyphens (see docs/i18n.md).

## Errors of the CKAN Action API
opendata-error-not-found = There is no such dataset, resource or organisation, or it is not published.
opendata-error-forbidden = Only the organisation's publishers may do this, with a valid API token.
opendata-error-internal = Something went wrong on our side. Nothing was changed.

## Problems with a publisher's input (opendata-problem-<code>)
opendata-problem-at-line = Line { $line }: { $problem }
name-missing = Give the dataset a name (its address).
name-invalid = The name may have only lower-case Latin letters, digits, - and _, 2 to 100 of them.
name-taken = That URL is already in use.
title-bg-missing = Give the title in Bulgarian.
title-en-missing = Give the title in English.
themes-unknown = Choose themes from the EU data themes.
licence-unknown = Choose a licence from the list.
frequency-unknown = Choose how often the dataset is updated from the list.
contact-email-invalid = The contact e-mail address is not valid.
date-invalid = Write the date as YYYY-MM-DD.
keywords-invalid = A keyword may not be empty or longer than 100 characters.
owner-org-missing = Say which organisation publishes the dataset (owner_org).
owner-org-unknown = There is no such organisation.
state-unknown = The state must be draft, active or deleted.
format-unknown = Uploads may be CSV, JSON or GeoJSON.
url-invalid = A link must be an http or https address.
upload-missing = Upload a file or give a link.
upload-too-large = The file is larger than 20 MB.
upload-empty = The file is empty.
upload-encoding = the file is not in UTF-8; save it as UTF-8 and upload it again.
upload-csv-fields = this row does not have as many fields as the header.
upload-csv-broken = the CSV cannot be read here (check the quotes).
upload-csv-header = every column needs a name, and no two the same.
upload-json-broken = the JSON cannot be read here.
upload-geojson-invalid = The file is not GeoJSON: a FeatureCollection of Features with geometries.
param-missing = This parameter is required.
param-not-integer = This parameter must be a whole number.
param-negative = This parameter may not be negative.
param-not-json = This parameter must be JSON.
param-not-list = This parameter must be a list.
datastore-unknown-field = There is no such field in the resource's table.
datastore-bad-filter = A filter's value does not fit its field's type.
datastore-limit = The limit must be between 0 and 32000.
search-fq-invalid = The filter query (fq) must be field:value pairs.
search-fq-unknown-field = The filter query (fq) may filter by organization, groups, tags, res_format, license_id or name.
search-sort-invalid = Sort by metadata_modified, metadata_created, name or title_string, asc or desc.
search-facet-unknown = Facets may be organization, groups, tags, res_format or license_id.

## Audit actions (audit-<action>, see docs/i18n.md)
audit-opendata-dataset-created = Open dataset created
audit-opendata-dataset-updated = Open dataset updated
audit-opendata-resource-added = Resource added to an open dataset
