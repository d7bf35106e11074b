#include "export/meta.h"

#include <stdio.h>
#include <string.h>

#include "store/admin.h"
#include "store/place.h"

/* ------------------------------------------------------------------ columns */

static const char *const OFFICE_LEVELS[] = {"province", "district", NULL};
static const char *const FACILITY_LEVELS[] = {"central", "province", "district", "commune", NULL};
static const char *const CLASSES[] = {"special", "1", "2", "3", "4", NULL};
static const char *const OWNERSHIPS[] = {"public", "private", NULL};
static const char *const ADMIN_LEVELS[] = {"province", "district", "ward", NULL};

#define PTEXT(field) EXPORT_TEXT, offsetof(struct place, field)
#define PATTR(field) EXPORT_ATTR, offsetof(struct place_attrs, field)
#define ATEXT(field) EXPORT_TEXT, offsetof(struct admin_unit, field)

#define COL_CODE(desc)                                                                             \
    {                                                                                              \
        "code", PTEXT(code), "string", true, true, NULL, NULL, desc                                \
    }
#define COL_NAME                                                                                   \
    {                                                                                              \
        "name", EXPORT_NAME, 0, "string", true, false, NULL, NULL, "Display name, Vietnamese."        \
    }
#define COL_PARENT(desc)                                                                           \
    {                                                                                              \
        "parent_code", PATTR(parent_code), "string", false, false, NULL, NULL, desc                \
    }

/* The columns every place file ends with, in the order of the import format. */
#define PLACE_TAIL                                                                                 \
    {"address", EXPORT_ADDRESS, 0, "string", false,                                                   \
     false,     NULL,           NULL,     "Street address as written locally."},                   \
        {"province_code",                                                                          \
         PATTR(province_code),                                                                     \
         "string",                                                                                 \
         false,                                                                                    \
         false,                                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "GSO code of the province the place is in (admin_units.csv)."},                           \
        {"district_code",                                                                          \
         PATTR(district_code),                                                                     \
         "string",                                                                                 \
         false,                                                                                    \
         false,                                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "GSO code of the district (admin_units.csv)."},                                           \
        {"ward_code", PATTR(ward_code),                                                            \
         "string",    false,                                                                       \
         false,       NULL,                                                                        \
         NULL,        "GSO code of the ward or commune (admin_units.csv)."},                       \
        {"phone", PTEXT(phone), "string", false, false, NULL, NULL, "Telephone, free text."},      \
        {"email", PATTR(email), "string", false, false, NULL, NULL, "E-mail address."},            \
        {"website", PATTR(website), "string", false, false, NULL, NULL, "Web site."},              \
        {"opening_hours",                                                                          \
         PATTR(opening_hours),                                                                     \
         "string",                                                                                 \
         false,                                                                                    \
         false,                                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "Opening hours, free text."},                                                             \
        {"lat",    EXPORT_LAT, 0,                                                                  \
         "number", true,       false,                                                              \
         NULL,     "degree",   "Latitude, WGS 84 (EPSG:4326), decimal degrees."},                  \
        {"lon",    EXPORT_LON, 0,                                                                  \
         "number", true,       false,                                                              \
         NULL,     "degree",   "Longitude, WGS 84 (EPSG:4326), decimal degrees."},                 \
        {"position_approx",                                                                        \
         EXPORT_APPROX,                                                                            \
         0,                                                                                        \
         "boolean",                                                                                \
         true,                                                                                     \
         false,                                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "true when lat/lon only place the row approximately (e.g. a district centre)."},          \
        {"source",                                                                                 \
         PATTR(source),                                                                            \
         "string",                                                                                 \
         true,                                                                                     \
         false,                                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "Where the row comes from: official, osm (OpenStreetMap), sample, or another word."},     \
    {                                                                                              \
        "updated", PATTR(updated), "date", false, false, NULL, NULL,                               \
            "Date the row was last checked (YYYY-MM-DD)."                                          \
    }

static const struct export_column office_columns[] = {
    COL_CODE("Office code: 3 digits for a provincial office (091), 5 for a district office "
             "starting with its parent's code (09102)."),
    COL_NAME,
    COL_PARENT("The parent office; empty for a provincial office."),
    {"level", PATTR(level), "string", true, false, OFFICE_LEVELS, NULL, "Office level."},
    PLACE_TAIL,
};

static const struct export_column agent_columns[] = {
    COL_CODE("Agent code: 1-40 of A-Z a-z 0-9 . _ -"),
    COL_NAME,
    COL_PARENT("The managing BHXH office (offices.csv), may be empty."),
    {"agent_type", PATTR(agent_type), "string", false, false, NULL, NULL,
     "Kind of agent, free text (bưu điện, UBND xã, ...)."},
    PLACE_TAIL,
};

static const struct export_column facility_columns[] = {
    COL_CODE("Facility code (mã cơ sở KCB): a 2-digit province code then 3 of 0-9 A-Z."),
    COL_NAME,
    COL_PARENT("The managing BHXH office (offices.csv), may be empty."),
    {"level", PATTR(level), "string", false, false, FACILITY_LEVELS, NULL,
     "Level (tuyến): central, province, district, commune."},
    {"facility_class", PATTR(facility_class), "string", false, false, CLASSES, NULL,
     "Class (hạng): special, 1-4."},
    {"ownership", PATTR(ownership), "string", false, false, OWNERSHIPS, NULL, "Ownership."},
    {"accepts_initial_registration", EXPORT_INITIAL, 0, "boolean", false, false, NULL, NULL,
     "Whether the facility takes initial registrations (KCB ban đầu); empty when unknown."},
    PLACE_TAIL,
};

static const struct export_column admin_columns[] = {
    {"code", ATEXT(code), "string", true, false, NULL, NULL,
     "GSO code: province 2 digits, district 3, ward/commune 5; unique within a version."},
    {"name", ATEXT(name), "string", true, false, NULL, NULL, "Official name."},
    {"type", ATEXT(type), "string", false, false, NULL, NULL,
     "Unit type as GSO writes it (Tỉnh, Quận, Huyện, Phường, Xã, ...)."},
    {"level", ATEXT(level), "string", true, false, ADMIN_LEVELS, NULL, "Level of the unit."},
    {"parent_code", ATEXT(parent_code), "string", false, false, NULL, NULL,
     "The unit one level up in the same version; empty for a province."},
    {"version", ATEXT(version), "string", true, false, NULL, NULL,
     "The list the unit belongs to (YYYY-MM): 2025-03 before the July 2025 reform, 2025-07 "
     "after it; the latest version is the current one."},
};

static const char *const SHARES[] = {"full", "partial", NULL};

#define STEXT(field) EXPORT_TEXT, offsetof(struct export_succession, field)

static const struct export_column successor_columns[] = {
    {"old_code", STEXT(old_code), "string", true, false, NULL, NULL, "The earlier unit's code."},
    {"old_version", STEXT(old_version), "string", true, false, NULL, NULL,
     "The earlier unit's version."},
    {"new_code", STEXT(new_code), "string", true, false, NULL, NULL,
     "The code of a later unit that took it over."},
    {"new_version", STEXT(new_version), "string", true, false, NULL, NULL, "That unit's version."},
    {"share", STEXT(share), "string", true, false, SHARES, NULL,
     "full: the whole earlier unit went into the later one; partial: a part of it did."},
    {"note", STEXT(note), "string", false, false, NULL, NULL, "Remarks, free text."},
};

#define N(a) (sizeof a / sizeof *a)

static const struct export_dataset_info datasets[EXPORT_DATASET_COUNT] = {
    [EXPORT_OFFICES] = {"offices", "BHXH offices (cơ quan BHXH)",
                        "Vietnam Social Security offices: provincial offices and the district "
                        "offices under them, with addresses, contacts and positions.",
                        "offices.csv", PLACE_OFFICE, office_columns, N(office_columns)},
    [EXPORT_AGENTS] = {"agents", "Collection agents (đại lý thu BHXH, BHYT)",
                       "Places that collect voluntary social insurance and household health "
                       "insurance contributions.",
                       "agents.csv", PLACE_AGENT, agent_columns, N(agent_columns)},
    [EXPORT_FACILITIES] = {"facilities", "Health insurance facilities (cơ sở KCB BHYT)",
                           "Hospitals, clinics and commune health stations, with level (tuyến), "
                           "class (hạng), ownership and whether they take initial registrations.",
                           "facilities.csv", PLACE_FACILITY, facility_columns, N(facility_columns)},
    [EXPORT_ADMIN_UNITS] = {"admin_units", "Administrative units (GSO)",
                            "Provinces, districts and wards/communes with their GSO codes and "
                            "the unit one level up.",
                            "admin_units.csv", -1, admin_columns, N(admin_columns)},
    [EXPORT_ADMIN_SUCCESSORS] = {"admin_successors", "Successions of administrative units",
                                 "Which units of a later version took over each unit of an "
                                 "earlier one (the July 2025 merger of provinces and communes).",
                                 "admin_successors.csv", -1, successor_columns,
                                 N(successor_columns)},
};

const struct export_dataset_info *export_dataset_info(enum export_dataset d)
{
    return &datasets[d];
}

const char *export_column_text(const struct export_column *c, const void *row,
                               char tmp[EXPORT_TEXT_MAX])
{
    const struct place *p = row;
    switch (c->value) {
    case EXPORT_TEXT:
        return *(const char *const *)((const char *)row + c->offset);
    case EXPORT_ATTR:
        return *(const char *const *)((const char *)p->attrs + c->offset);
    case EXPORT_NAME:
        return place_name(p, tmp);
    case EXPORT_ADDRESS:
        return place_address(p, tmp);
    case EXPORT_LAT:
    case EXPORT_LON:
        snprintf(tmp, EXPORT_TEXT_MAX, "%.12g", c->value == EXPORT_LAT ? p->lat : p->lon);
        return tmp;
    case EXPORT_APPROX:
        return p->position_approx ? "true" : "false";
    case EXPORT_INITIAL:
        return p->accepts_initial_registration < 0 ? NULL
               : p->accepts_initial_registration   ? "true"
                                                   : "false";
    }
    return NULL;
}

/* ----------------------------------------------------------------- licences */

static bool has_source(const struct export_dataset_stats *st, const char *v)
{
    for (size_t i = 0; i < st->nsources; i++)
        if (strcmp(st->sources[i].value, v) == 0)
            return true;
    return false;
}

static json_t *licenses_json(enum export_dataset d, const struct export_dataset_stats *st)
{
    bool official = d == EXPORT_ADMIN_UNITS || d == EXPORT_ADMIN_SUCCESSORS ||
                    (st->nsources == 1 && strcmp(st->sources[0].value, "official") == 0);
    if (has_source(st, "osm"))
        return json_pack("[{s:s, s:s, s:s}]", "name", "ODbL-1.0", "path",
                         "https://opendatacommons.org/licenses/odbl/1-0/", "title",
                         "Open Data Commons Open Database License 1.0 (rows from OpenStreetMap: "
                         "© OpenStreetMap contributors)");
    if (official)
        return json_pack("[{s:s, s:s}]", "name", "other-pd", "title",
                         "Official public information: administrative documents and their "
                         "data are not protected by copyright in Viet Nam (Law on "
                         "Intellectual Property, art. 15)");
    return json_pack("[{s:s, s:s}]", "name", "notspecified", "title",
                     "Not all rows are official (see sources); no licence is stated for them. "
                     "For the data shipped with bhxh-geo see data/README.md: these rows are "
                     "samples, not an official list");
}

static json_t *source_json(const struct export_source_count *c)
{
    const char *v = c->value;
    char title[96];
    if (strcmp(v, "official") == 0)
        snprintf(title, sizeof title, "Official list (source=official)");
    else if (strcmp(v, "osm") == 0)
        return json_pack("{s:s, s:s, s:I}", "title",
                         "OpenStreetMap (source=osm): © OpenStreetMap contributors", "path",
                         "https://www.openstreetmap.org/copyright", "rows", (json_int_t)c->rows);
    else if (strcmp(v, "sample") == 0)
        snprintf(title, sizeof title, "Sample rows, not an official list (source=sample)");
    else
        snprintf(title, sizeof title, "source=%s", v);
    return json_pack("{s:s, s:I}", "title", title, "rows", (json_int_t)c->rows);
}

static json_t *sources_json(enum export_dataset d, const struct export_dataset_stats *st)
{
    if (d == EXPORT_ADMIN_SUCCESSORS)
        return json_pack("[{s:s, s:I}]", "title",
                         "General Statistics Office of Viet Nam (GSO) letters and the 2025 "
                         "resolutions on the reorganisation of administrative units",
                         "rows", (json_int_t)st->rows);
    if (d == EXPORT_ADMIN_UNITS)
        return json_pack("[{s:s, s:s, s:I}]", "title",
                         "General Statistics Office of Viet Nam (GSO): list of administrative "
                         "units",
                         "path", "https://danhmuchanhchinh.gso.gov.vn/", "rows",
                         (json_int_t)st->rows);
    json_t *a = json_array();
    for (size_t i = 0; a && i < st->nsources; i++)
        json_array_append_new(a, source_json(&st->sources[i]));
    return a;
}

/* ------------------------------------------------------------ table schema */

static json_t *field_json(const struct export_column *c)
{
    json_t *f = json_pack("{s:s, s:s, s:s}", "name", c->name, "type", c->type, "description",
                          c->description);
    json_t *cons = json_object();
    if (f == NULL || cons == NULL) {
        json_decref(f);
        json_decref(cons);
        return NULL;
    }
    if (strcmp(c->type, "boolean") == 0) {
        json_object_set_new(f, "trueValues", json_pack("[s]", "true"));
        json_object_set_new(f, "falseValues", json_pack("[s]", "false"));
    }
    if (c->unit)
        json_object_set_new(f, "unit", json_string(c->unit));
    if (c->required)
        json_object_set_new(cons, "required", json_true());
    if (c->unique)
        json_object_set_new(cons, "unique", json_true());
    if (c->values) {
        json_t *e = json_array();
        for (const char *const *v = c->values; e && *v; v++)
            json_array_append_new(e, json_string(*v));
        json_object_set_new(cons, "enum", e);
    }
    if (c->value == EXPORT_LAT || c->value == EXPORT_LON) {
        double lim = c->value == EXPORT_LAT ? 90 : 180;
        json_object_set_new(cons, "minimum", json_real(-lim));
        json_object_set_new(cons, "maximum", json_real(lim));
    }
    if (json_object_size(cons) > 0)
        json_object_set_new(f, "constraints", cons);
    else
        json_decref(cons);
    return f;
}

static json_t *foreign_key(const char *field, const char *resource)
{
    return json_pack("{s:s, s:{s:s, s:s}}", "fields", field, "reference", "resource", resource,
                     "fields", "code");
}

/* Units are keyed by (code, version); successions by both units. */
static json_t *admin_schema_json(enum export_dataset d, json_t *fields, json_t *fks)
{
    json_t *key;
    if (d == EXPORT_ADMIN_UNITS) {
        key = json_pack("[s, s]", "code", "version");
        json_array_append_new(fks, json_pack("{s:[s, s], s:{s:s, s:[s, s]}}", "fields",
                                             "parent_code", "version", "reference", "resource", "",
                                             "fields", "code", "version"));
    } else {
        key = json_pack("[s, s, s, s]", "old_code", "old_version", "new_code", "new_version");
        for (int i = 0; i < 2; i++)
            json_array_append_new(fks, json_pack("{s:[s, s], s:{s:s, s:[s, s]}}", "fields",
                                                 i ? "new_code" : "old_code",
                                                 i ? "new_version" : "old_version", "reference",
                                                 "resource", "admin_units", "fields", "code",
                                                 "version"));
    }
    return json_pack("{s:o*, s:o*, s:o*, s:[s]}", "fields", fields, "primaryKey", key,
                     "foreignKeys", fks, "missingValues", "");
}

static json_t *schema_json(enum export_dataset d)
{
    const struct export_dataset_info *info = &datasets[d];
    json_t *fields = json_array(), *fks = json_array();
    for (size_t i = 0; fields && i < info->ncolumns; i++)
        json_array_append_new(fields, field_json(&info->columns[i]));
    if (d == EXPORT_ADMIN_UNITS || d == EXPORT_ADMIN_SUCCESSORS)
        return admin_schema_json(d, fields, fks);
    if (fks) {
        json_array_append_new(fks,
                              foreign_key("parent_code", d == EXPORT_OFFICES ? "" : "offices"));
        /* No keys into admin_units: a code alone may name a unit of several versions. */
    }
    return json_pack("{s:o*, s:s, s:o*, s:[s]}", "fields", fields, "primaryKey", "code",
                     "foreignKeys", fks, "missingValues", "");
}

/* ---------------------------------------------------------------- documents */

static const struct export_file *csv_file(const struct export_manifest *m, enum export_dataset d)
{
    for (size_t i = 0; i < m->nfiles; i++)
        if (m->files[i].dataset == (int)d && strstr(m->files[i].name, ".csv"))
            return &m->files[i];
    return NULL;
}

static json_t *resource_json(const struct export_manifest *m, enum export_dataset d)
{
    const struct export_dataset_info *info = &datasets[d];
    const struct export_file *f = csv_file(m, d);
    char hash[80];
    snprintf(hash, sizeof hash, "sha256:%s", f ? f->sha256 : "");
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I,"
        " s:{s:s, s:s, s:s, s:b, s:b}, s:o*, s:o*, s:o*}",
        "profile", "tabular-data-resource", "name", info->name, "path", f ? f->name : "", "title",
        info->title, "description", info->description, "format", "csv", "mediatype", "text/csv",
        "encoding", "utf-8", "bytes", (json_int_t)(f ? f->bytes : 0), "hash", hash, "rows",
        (json_int_t)m->datasets[d].rows, "dialect", "delimiter", ",", "lineTerminator", "\r\n",
        "quoteChar", "\"", "doubleQuote", 1, "header", 1, "schema", schema_json(d), "licenses",
        licenses_json(d, &m->datasets[d]), "sources", sources_json(d, &m->datasets[d]));
}

/* Adds each licence of resource r to all unless one of that name is there. */
static void merge_licenses(json_t *all, json_t *r)
{
    size_t i, j;
    json_t *l, *have;
    json_array_foreach(json_object_get(r, "licenses"), i, l)
    {
        bool dup = false;
        json_array_foreach(all, j, have) dup |=
            json_equal(json_object_get(have, "name"), json_object_get(l, "name"));
        if (!dup)
            json_array_append(all, l);
    }
}

json_t *export_datapackage_json(const struct export_manifest *m)
{
    char title[128];
    snprintf(title, sizeof title, "bhxh-geo data release %s", m->release);
    json_t *resources = json_array(), *licenses = json_array();
    for (int d = 0; resources && licenses && d < EXPORT_DATASET_COUNT; d++) {
        json_t *r = resource_json(m, (enum export_dataset)d);
        if (r == NULL) {
            json_decref(resources);
            json_decref(licenses);
            return NULL;
        }
        merge_licenses(licenses, r);
        json_array_append_new(resources, r);
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o*, s:o*}", "profile",
                     "tabular-data-package", "name", "bhxh-geo", "title", title, "description",
                     "BHXH offices, collection agents, BHYT facilities and GSO administrative "
                     "units of one bhxh-geo release. Licences differ per resource: see each "
                     "resource's licenses and sources.",
                     "version", m->release, "created", m->built_at, "licenses", licenses,
                     "resources", resources);
}

static json_t *file_json(const struct export_file *f, const char *url_prefix)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", url_prefix, f->name);
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "name", f->name, "url", url, "media_type",
                          f->media_type, "bytes", (json_int_t)f->bytes, "sha256", f->sha256);
    if (o && f->gz_bytes)
        json_object_set_new(o, "gzip_bytes", json_integer((json_int_t)f->gz_bytes));
    return o;
}

static json_t *input_json(const struct export_dataset_stats *st, const char *file)
{
    if (!st->has_input)
        return json_null();
    return json_pack("{s:s, s:s, s:I, s:I}", "file", file, "sha256", st->input_sha256, "bytes",
                     (json_int_t)st->input_bytes, "rows", (json_int_t)st->input_rows);
}

static json_t *dataset_json(const struct export_manifest *m, enum export_dataset d,
                            const char *url_prefix)
{
    const struct export_dataset_info *info = &datasets[d];
    json_t *files = json_array();
    for (size_t i = 0; files && i < m->nfiles; i++)
        if (m->files[i].dataset == (int)d)
            json_array_append_new(files, file_json(&m->files[i], url_prefix));
    return json_pack("{s:s, s:s, s:s, s:I, s:o*, s:o*, s:o*, s:o*}", "name", info->name, "title",
                     info->title, "description", info->description, "rows",
                     (json_int_t)m->datasets[d].rows, "licenses", licenses_json(d, &m->datasets[d]),
                     "sources", sources_json(d, &m->datasets[d]), "input",
                     input_json(&m->datasets[d], info->input_file), "files", files);
}

json_t *export_catalog_json(const struct export_manifest *m, const char *url_prefix)
{
    json_t *sets = json_array(), *files = json_array();
    for (int d = 0; sets && d < EXPORT_DATASET_COUNT; d++)
        json_array_append_new(sets, dataset_json(m, (enum export_dataset)d, url_prefix));
    for (size_t i = 0; files && i < m->nfiles; i++)
        if (m->files[i].dataset < 0)
            json_array_append_new(files, file_json(&m->files[i], url_prefix));
    return json_pack("{s:s, s:s, s:o*, s:o*}", "release", m->release, "built_at", m->built_at,
                     "datasets", sets, "files", files);
}
