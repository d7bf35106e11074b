/*
 * bhxh-geo: command line only. Each subcommand parses its options and hands
 * over to its module (import_run, server_run); messages go to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "http/server.h"
#include "import/import.h"

#define VERSION BHXH_VERSION

static void usage_main(FILE *f)
{
    fputs("usage: bhxh-geo <command> [options]\n"
          "\n"
          "commands:\n"
          "  import   build a release database from CSV files\n"
          "  serve    serve a release database over HTTP\n"
          "  export   write a release's open-data files (CSV, GeoJSON, ...) to a folder\n"
          "\n"
          "Run 'bhxh-geo <command> --help' for a command's options.\n",
          f);
}

static void usage_import(FILE *f)
{
    fputs("usage: bhxh-geo import --data DIR --out FILE [--max-errors N]\n"
          "                       [--crs [FILE=]CRS] [--encoding [FILE=]ENC] [--columns MAP]\n"
          "                       [--timings]\n"
          "\n"
          "Reads DIR/admin_units.csv, DIR/admin_successors.csv (optional),\n"
          "DIR/offices.csv, DIR/agents.csv and DIR/facilities.csv (UTF-8, RFC\n"
          "4180), checks every row, and writes a\n"
          "SpatiaLite release database to FILE. The database is built beside FILE\n"
          "and renamed over it only when everything succeeded: on any error FILE\n"
          "is left untouched.\n"
          "\n"
          "  --data DIR        folder holding the CSV files\n"
          "  --out FILE        database to create or replace\n"
          "  --max-errors N    report at most N bad rows (default 50)\n"
          "  --crs [FILE=]CRS  coordinates of rows without a crs column value, in\n"
          "                    every file or FILE only (facilities.csv=CRS):\n"
          "                    EPSG:4326 (WGS 84 lat/lon, default), EPSG:4756\n"
          "                    (VN-2000 lat/lon), EPSG:3405/3406 (VN-2000 / UTM\n"
          "                    48N/49N), VN-2000 TM-3 zones EPSG:9205-9218 and\n"
          "                    5896-5899, or VN2000:TM3:<central meridian> such as\n"
          "                    VN2000:TM3:104.5 (Kiên Giang, Cà Mau); projected\n"
          "                    rows give easting and northing in metres\n"
          "  --encoding [FILE=]ENC  utf-8 (default), cp1258 (Windows-1258) or\n"
          "                    tcvn3 (ABC), for every file or FILE only\n"
          "  --columns MAP     map source headers to columns: 'Header = column'\n"
          "                    lines, [facilities.csv] sections, '-' ignores a\n"
          "                    column (common Vietnamese headers such as Mã CSKCB,\n"
          "                    Tên cơ sở, Kinh độ, Vĩ độ are recognised anyway)\n"
          "  --timings         print how long each phase took (to stderr)\n"
          "\n"
          "Exit status: 0 done, 1 bad input (every problem printed as\n"
          "FILE:LINE: COLUMN: reason), 2 I/O or database failure.\n",
          f);
}

static void usage_serve(FILE *f)
{
    fputs("usage: bhxh-geo serve --db FILE [options]\n"
          "\n"
          "Serves a release database read-only over HTTP. A new release renamed\n"
          "over FILE, or SIGHUP, is picked up without dropping a request (the old\n"
          "release keeps serving if the new one fails its checks). SIGTERM/SIGINT\n"
          "stop accepting, let requests in flight finish, and exit 0.\n"
          "\n"
          "  --db FILE               release database built by 'bhxh-geo import'\n"
          "  --bind ADDR             numeric address to listen on (default 127.0.0.1)\n"
          "  --port N                TCP port, 0 for any free port (default 8080)\n"
          "  --threads N             request threads (default: one per CPU)\n"
          "  --max-connections N     open connections in all (default 1024)\n"
          "  --max-per-ip N          open connections from one address (default 128)\n"
          "  --request-timeout S     seconds to send a whole request (default 10)\n"
          "  --idle-timeout S        seconds without any progress (default 60)\n"
          "  --max-header-bytes N    request line and headers (default 32768)\n"
          "  --shutdown-grace S      seconds for requests in flight at exit (default 10)\n"
          "  --no-watch              reload on SIGHUP only, not when FILE changes\n"
          "  --access-log FILE       one line per request; '-' for stderr (default: none)\n"
          "  --web DIR               web widget files: widget.js, widget.css, demo.html\n"
          "                          (default: ./web when present; Leaflet from DIR/leaflet/\n"
          "                          or DIR/../node_modules/leaflet/dist/)\n"
          "\n"
          "On start it prints 'listening on http://ADDR:PORT' on stdout.\n",
          f);
}

/* Parses a whole decimal number in [lo, hi]; returns -1 when it is not one. */
static long parse_count(const char *opt, const char *s, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "bhxh-geo: %s: \"%s\" is not a number from %ld to %ld\n", opt, s, lo, hi);
        return -1;
    }
    return v;
}

static int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"max-errors", required_argument, NULL, 'm'},
                                         {"crs", required_argument, NULL, 'c'},
                                         {"encoding", required_argument, NULL, 'e'},
                                         {"columns", required_argument, NULL, 'k'},
                                         {"timings", no_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct import_opts o = {0};
    long v;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.data_dir = optarg;
            break;
        case 'o':
            o.out_path = optarg;
            break;
        case 'm':
            if ((v = parse_count("--max-errors", optarg, 1, 100000)) < 0)
                return 2;
            o.max_errors = (unsigned)v;
            break;
        case 'c':
        case 'e':
            if ((c == 'c' ? o.ncrs : o.nencoding) == IMPORT_OPT_MAX) {
                fprintf(stderr, "bhxh-geo import: --%s given more than %d times\n",
                        c == 'c' ? "crs" : "encoding", IMPORT_OPT_MAX);
                return 2;
            }
            if (c == 'c')
                o.crs[o.ncrs++] = optarg;
            else
                o.encoding[o.nencoding++] = optarg;
            break;
        case 'k':
            o.columns = optarg;
            break;
        case 't':
            o.timings = 1;
            break;
        case 'h':
            usage_import(stdout);
            return 0;
        default:
            usage_import(stderr);
            return 2;
        }
    }
    if (o.data_dir == NULL || o.out_path == NULL || optind != argc) {
        fputs("bhxh-geo import: --data and --out are required\n", stderr);
        usage_import(stderr);
        return 2;
    }
    return import_run(&o, stderr);
}

enum serve_opt {
    OPT_MAX_CONN = 256,
    OPT_MAX_PER_IP,
    OPT_REQUEST_TIMEOUT,
    OPT_IDLE_TIMEOUT,
    OPT_MAX_HEADER,
    OPT_GRACE,
    OPT_NO_WATCH,
    OPT_ACCESS_LOG,
    OPT_WEB,
};

/* Applies one serve option; returns 0, or 2 after printing why the value is wrong. */
static int serve_option(struct server_config *cfg, int c, const char *arg)
{
    long v = 0;
    switch (c) {
    case 'd': cfg->db_path = arg; return 0;
    case 'b': cfg->bind = arg; return 0;
    case OPT_NO_WATCH: cfg->watch = false; return 0;
    case OPT_ACCESS_LOG: cfg->access_log = arg; return 0;
    case OPT_WEB: cfg->web_dir = arg; return 0;
    case 'p': v = parse_count("--port", arg, 0, 65535); break;
    case 't': v = parse_count("--threads", arg, 1, 256); break;
    case OPT_MAX_CONN: v = parse_count("--max-connections", arg, 1, 100000); break;
    case OPT_MAX_PER_IP: v = parse_count("--max-per-ip", arg, 1, 100000); break;
    case OPT_REQUEST_TIMEOUT: v = parse_count("--request-timeout", arg, 1, 3600); break;
    case OPT_IDLE_TIMEOUT: v = parse_count("--idle-timeout", arg, 1, 3600); break;
    case OPT_MAX_HEADER: v = parse_count("--max-header-bytes", arg, 4096, 1 << 20); break;
    case OPT_GRACE: v = parse_count("--shutdown-grace", arg, 0, 3600); break;
    default: return 2;
    }
    if (v < 0)
        return 2;
    switch (c) {
    case 'p': cfg->port = (unsigned)v; break;
    case 't': cfg->threads = (unsigned)v; break;
    case OPT_MAX_CONN: cfg->max_connections = (unsigned)v; break;
    case OPT_MAX_PER_IP: cfg->max_per_ip = (unsigned)v; break;
    case OPT_REQUEST_TIMEOUT: cfg->request_timeout_s = (double)v; break;
    case OPT_IDLE_TIMEOUT: cfg->idle_timeout_s = (unsigned)v; break;
    case OPT_MAX_HEADER: cfg->header_bytes_max = (unsigned)v; break;
    case OPT_GRACE: cfg->shutdown_grace_s = (double)v; break;
    }
    return 0;
}

static void usage_export(FILE *f)
{
    fputs("usage: bhxh-geo export --db FILE --out DIR\n"
          "\n"
          "Writes the open-data files of a release to DIR (created if missing),\n"
          "the same files GET /v1/datasets/{file} serves: offices.csv, agents.csv,\n"
          "facilities.csv, admin_units.csv (the import format), offices.geojson,\n"
          "agents.geojson, facilities.geojson, release.sqlite, datapackage.json\n"
          "(Frictionless) and SHA256SUMS. Lists each file with its SHA-256 on stdout.\n"
          "\n"
          "Exit status: 0 done, 1 FILE is not a readable release, 2 I/O failure.\n",
          f);
}

static int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *out = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage_export(stdout);
            return 0;
        }
        if (c != 'd' && c != 'o') {
            usage_export(stderr);
            return 2;
        }
        *(c == 'd' ? &db : &out) = optarg;
    }
    if (db == NULL || out == NULL || optind != argc) {
        fputs("bhxh-geo export: --db and --out are required\n", stderr);
        usage_export(stderr);
        return 2;
    }
    return export_run(db, out, stdout, stderr);
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'},
        {"threads", required_argument, NULL, 't'},
        {"max-connections", required_argument, NULL, OPT_MAX_CONN},
        {"max-per-ip", required_argument, NULL, OPT_MAX_PER_IP},
        {"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
        {"max-header-bytes", required_argument, NULL, OPT_MAX_HEADER},
        {"shutdown-grace", required_argument, NULL, OPT_GRACE},
        {"no-watch", no_argument, NULL, OPT_NO_WATCH},
        {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
        {"web", required_argument, NULL, OPT_WEB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct server_config cfg = {SERVER_CONFIG_DEFAULTS};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage_serve(stdout);
            return 0;
        }
        if (c == '?' || serve_option(&cfg, c, optarg) != 0) {
            usage_serve(stderr);
            return 2;
        }
    }
    if (cfg.db_path == NULL || optind != argc) {
        fputs("bhxh-geo serve: --db is required\n", stderr);
        usage_serve(stderr);
        return 2;
    }
    struct err e = {{0}};
    int rc = server_run(&cfg, &e);
    if (rc != 0)
        fprintf(stderr, "bhxh-geo serve: %s\n", e.msg);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("bhxh-geo " VERSION);
        return 0;
    }
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    fprintf(stderr, "bhxh-geo: unknown command \"%s\"\n", cmd);
    usage_main(stderr);
    return 2;
}
