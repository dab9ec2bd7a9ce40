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
format-unknown = Uploads may be CSV, JSON, GeoJSON or XLSX.
url-invalid = A link must be an http or https address.
upload-missing = Upload a file or give a link.
upload-too-large = The file is larger than 20 MB: only a CSV, JSON or GeoJSON file may be larger, up to 1 GB.
upload-too-large-streamed = The file is larger than 1 GB, or its upload was cut off. Nothing was kept.
load-broken = The stored file no longer reads as it did when it was checked; upload it again.
load-file-missing = The stored file is missing from the file store: once the same file is back there (uploaded again), start loading again.
load-stopped = Loading stopped: its last step was tried again and again without success (the database refused the rows, or the server loading them stopped).
load-not-failed = This file's load has not failed: there is nothing to start again.
upload-empty = The file is empty.
upload-encoding = the file is not in UTF-8; save it as UTF-8 and upload it again.
upload-csv-fields = this row does not have as many fields as the header.
upload-csv-broken = the CSV cannot be read here (check the quotes).
upload-csv-header = every column needs a name, and no two the same.
upload-xlsx-broken = The workbook cannot be read here: save it as XLSX (Excel 2007 or later) and upload it again.
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
datastore-bad-value = Row { $row }: “{ $value }” is not { $type ->
    [int] a whole number
    [float] a decimal number
    [date] a date written YYYY-MM-DD or DD.MM.YYYY
   *[other] text
  }. Nothing was changed.
datastore-more-bad-values = { $count ->
    [one] One more value does not fit either.
   *[other] { $count } more values do not fit either.
  }
datastore-type-unknown = The type may be text, int, float or date.
search-fq-invalid = The filter query (fq) must be field:value pairs.
search-fq-unknown-field = The filter query (fq) may filter by organization, groups, tags, res_format, license_id or name.
search-sort-invalid = Sort by metadata_modified, metadata_created, name or title_string, asc or desc.
search-facet-unknown = Facets may be organization, groups, tags, res_format or license_id.

## Audit actions (audit-<action>, see docs/i18n.md)
audit-opendata-dataset-created = Open dataset created
audit-opendata-dataset-updated = Open dataset updated
audit-opendata-resource-added = Resource added to an open dataset
audit-opendata-resource-replaced = Resource of an open dataset replaced
audit-opendata-field-retyped = Column type of an open dataset's table corrected
audit-opendata-load-restarted = Load of an open data resource started again

## Pages: search, dataset, organisation (od_…)
od-search-title = Open data
od-search-lead = Datasets that administrations publish, free to use: download them, query them through the API or read them in your GIS.
od-search-label = Search datasets
od-search-hint = Words in Bulgarian or English; endings and small typos are forgiven.
od-search-submit = Search
od-search-count = Datasets found:
od-search-none = No dataset matches. Try fewer words or remove a filter.
od-results-label = Datasets
od-modified = updated
od-filter-title = Filter
od-filters-chosen = Chosen filters
od-filter-remove = Remove
od-facet-organization = Organisation
od-facet-theme = Theme
od-facet-format = Format
od-facet-licence = Licence
od-machines-title = For programs
od-feed-link = Atom feed of recently changed datasets
od-feed-title = Open data – recent changes
od-feed-subtitle = The datasets most recently published or changed
od-ckan-link = CKAN Action API
od-ogc-link = Spatial data as OGC API – Features
od-back-to-search = All datasets
od-edit = Change the dataset
od-add-resource = Add a resource
od-resources-title = Data and resources
od-resources-none = This dataset has no resources yet.
od-rows =
    { $count ->
        [one] { $count } row
       *[other] { $count } rows
    }
od-preview-title = Preview
od-preview-showing =
    { $count ->
        [one] The first row of
       *[other] The first { $count } rows of
    }
od-preview-api = Query it through the API
od-chart-title = Chart
od-chart-of = Chart of
od-map-title = Map
od-map-of = Map of
od-map-ogc = The features as OGC API – Features
od-meta-themes = Themes
od-meta-keywords = Keywords
od-meta-licence = Licence
od-meta-frequency = Updated
od-meta-temporal = Time covered
od-meta-spatial = Area covered
od-meta-contact = Contact
od-meta-modified = Last changed
od-meta-version = Version
od-frequency-DAILY = Daily
od-frequency-WEEKLY = Weekly
od-frequency-MONTHLY = Monthly
od-frequency-QUARTERLY = Quarterly
od-frequency-ANNUAL = Every year
od-frequency-IRREG = Irregularly
od-frequency-NEVER = Never
od-frequency-UNKNOWN = Not known
od-state-draft = Draft
od-state-published = Published
od-state-withdrawn = Withdrawn
od-organisation-caption = Organisation, EIK
od-organisation-platform = The platform's own organisation
od-organisation-count = Published datasets:
od-organisation-search = search them
od-organisation-none = This organisation has published no datasets yet.

## Publishers' pages
od-mine-title = Your organisation's datasets
od-mine-none = Your organisation has no datasets yet.
od-mine-dataset = Dataset
od-mine-state = State
od-new-title = Publish a dataset
od-edit-title = Change the dataset
od-save = Save
od-upload = Add the resource
od-administration-missing = Choose the organisation that publishes the dataset.
od-field-administration = Organisation
od-field-name = Address (name)
od-field-name-hint = Lower-case Latin letters, digits, - and _; the dataset will be at /data/ and this name.
od-field-title-bg = Title in Bulgarian
od-field-title-en = Title in English
od-field-notes-bg = Description in Bulgarian
od-field-notes-en = Description in English
od-field-keywords = Keywords
od-field-keywords-hint = Separated by commas.
od-field-contact-name = Contact name
od-field-contact-email = Contact e-mail address
od-field-temporal-start = Time covered: from
od-field-temporal-start-hint = YYYY-MM-DD, for example 2024-01-01.
od-field-temporal-end = Time covered: to
od-field-temporal-end-hint = YYYY-MM-DD, for example 2024-12-31.
od-field-spatial = Area covered
od-field-themes = Themes (the EU data themes)
od-field-licence = Licence
od-field-frequency = How often it is updated
od-field-state = State
od-field-resource-name = Name of the resource
od-field-resource-description = Description
od-field-upload = A file
od-field-upload-hint = CSV, JSON or GeoJSON in UTF-8, up to 1 GB, or XLSX, up to 20 MB. A CSV or XLSX table is loaded into the datastore (a large CSV in the background: its page shows how far it has got).
od-field-url = Or a link
od-field-url-hint = An http or https address, if the data is elsewhere.

## Column types of a datastore resource (od_fields_…)
od-fields-title = Column types
od-fields-lead = The datastore detected each column's type from its values. Correct a column whose type is wrong: every value must fit the new type, or nothing changes and the rows that do not fit are listed.
od-fields-column = Column
od-fields-type = Type
od-fields-change = Correct a column's type
od-fields-new-type = New type
od-fields-new-type-hint = A date is written YYYY-MM-DD or DD.MM.YYYY (kept as YYYY-MM-DD). Empty values are allowed in every type.
od-fields-submit = Change the type
od-fields-saved-title = Saved
od-fields-saved = The column's type was changed.
od-fields-link = Column types
od-type-text = Text
od-type-int = Whole number
od-type-float = Decimal number
od-type-date = Date

## A resource's page and the load of a large CSV (od_resource_…, od_load_…)
od-resource-page = About this file
od-resource-format = Format
od-resource-size = Size
od-resource-download = Download the file
od-load-title = Loading into the datastore
od-load-state-queued = Waiting
od-load-state-loading = Loading
od-load-state-done = Loaded
od-load-state-failed = Failed
od-load-queued = The file was checked and is waiting to be loaded: { $total } rows.
od-load-loading = { $rows } of { $total } rows loaded so far.
od-load-done = All { $rows } rows are loaded and can be queried.
od-load-failed = The file could not be loaded, and nothing of it was.
od-load-not-updating = This page does not update by itself.
od-load-refresh = Refresh the page
od-load-watch = Update it every 5 seconds
od-load-watching = This page updates every 5 seconds until the file is loaded.
od-load-stop = Stop updating
od-load-stopped-rows = { $rows } of { $total } rows had been loaded; they cannot be queried until every row is in.
od-load-restart = Start loading again
od-load-restart-hint = It goes on from the last rows loaded, or starts again from the beginning if they are not all there.
