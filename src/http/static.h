/*
 * static: the web widget's files (widget.js, widget.css, the demo page and
 * Leaflet's script and style sheet), served from a fixed allow-list
 * of URL paths. Every file is read once, when the server starts, into memory
 * with a content-hash ETag; a request path is only ever compared with the
 * list, never joined to a directory, so nothing outside it can be served.
 *
 * Where the files are, for `bhxh-geo serve --web DIR`:
 *   /widget.js, /widget.css       DIR/widget.js, DIR/widget.css
 *   /demo                         DIR/demo.html
 *   /leaflet/leaflet.{js,css}     DIR/leaflet/NAME when present (a deployment
 *                                 copies node_modules/leaflet/dist/ there), else
 *                                 DIR/../node_modules/leaflet/dist/NAME (the
 *                                 repository after `npm ci`)
 */
#ifndef BHXH_HTTP_STATIC_H
#define BHXH_HTTP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "util/err.h"

struct static_site;

/*
 * Reads the allow-listed files under dir. When required, a missing or
 * unreadable file is an error: returns NULL with e filled. Otherwise missing
 * files are left out (their paths answer 404), e holds a one-line note about
 * them (empty when all were found), and the site is returned. NULL also when
 * memory runs out. The caller frees the site with static_site_free() after
 * the last request that may use it.
 */
struct static_site *static_site_open(const char *dir, bool required, struct err *e);
void static_site_free(struct static_site *s);

/* How many allow-listed files were read, and how many the list holds. */
size_t static_site_loaded(const struct static_site *s);
size_t static_site_size(void);

/*
 * Route handler for the allow-listed paths: 200 with a copy of the file, its
 * Content-Type, a strong ETag from its content (If-None-Match gives 304) and
 * Cache-Control; 404 problem for a path not on the list or a file not
 * loaded. Reads rq->web (may be NULL: everything is then 404).
 */
void static_serve(const struct http_request *rq, struct http_response *rs);

#endif
