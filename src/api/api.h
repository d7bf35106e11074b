/*
 * api: the handlers of the public HTTP API, one file per endpoint family.
 * Each reads its parameters from the request, queries the release and
 * renders JSON; none of them knows the HTTP library.
 */
#ifndef BHXH_API_API_H
#define BHXH_API_API_H

#include "http/request.h"
#include "store/place.h"

/* Route data for api_place_by_code: which kind the route serves. */
extern const enum place_kind api_kind_office, api_kind_agent, api_kind_facility;

void api_health(const struct http_request *rq, struct http_response *rs);
void api_nearest(const struct http_request *rq, struct http_response *rs);
void api_place_by_code(const struct http_request *rq, struct http_response *rs);
void api_list_places(const struct http_request *rq, struct http_response *rs);
void api_office_children(const struct http_request *rq, struct http_response *rs);
void api_admin_units(const struct http_request *rq, struct http_response *rs);
void api_admin_unit(const struct http_request *rq, struct http_response *rs);
void api_search(const struct http_request *rq, struct http_response *rs);
void api_map(const struct http_request *rq, struct http_response *rs);

/* Open data (api/datasets.c): the catalogue and the files of the release. */
void api_datasets(const struct http_request *rq, struct http_response *rs);
void api_dataset_file(const struct http_request *rq, struct http_response *rs);
/*
 * Starts writing the download files of a release just opened (in the
 * background), so the first /v1/datasets request finds them ready.
 */
void api_release_opened(struct release *r);

/* OGC API - Features (api/ogc.c, api/ogc_items.c) and its API definition (api/openapi_doc.c). */
void api_ogc_landing(const struct http_request *rq, struct http_response *rs);
void api_ogc_conformance(const struct http_request *rq, struct http_response *rs);
void api_ogc_collections(const struct http_request *rq, struct http_response *rs);
void api_ogc_collection(const struct http_request *rq, struct http_response *rs);
void api_ogc_items(const struct http_request *rq, struct http_response *rs);
void api_ogc_item(const struct http_request *rq, struct http_response *rs);
void api_openapi(const struct http_request *rq, struct http_response *rs);

#endif
