/*
 * bhxh-geo: command line only. Each subcommand parses its options and hands
 * over to its module (import_run, server_run); messages go to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
          "\n"
          "Run 'bhxh-geo <command> --help' for a command's options.\n",
          f);
}

static void usage_import(FILE *f)
{
    fputs("usage: bhxh-geo import --data DIR --out FILE [--max-errors N]\n"
          "\n"
          "Reads DIR/admin_units.csv, DIR/offices.csv, DIR/agents.csv and\n"
          "DIR/facilities.csv (UTF-8, RFC 4180), checks every row, and writes a\n"
          "SpatiaLite release database to FILE. The database is built beside FILE\n"
          "and renamed over it only when everything succeeded: on any error FILE\n"
          "is left untouched.\n"
          "\n"
          "  --data DIR        folder holding the four CSV files\n"
          "  --out FILE        database to create or replace\n"
          "  --max-errors N    report at most N bad rows (default 50)\n"
          "\n"
          "Exit status: 0 done, 1 bad input (every problem printed as\n"
          "FILE:LINE: COLUMN: reason), 2 I/O or database failure.\n",
          f);
}

static void usage_serve(FILE *f)
{
    fputs("usage: bhxh-geo serve --db FILE [--bind ADDR] [--port N] [--threads N]\n"
          "\n"
          "Serves a release database read-only over HTTP. SIGHUP re-opens FILE\n"
          "and swaps the new release in; SIGINT/SIGTERM stop the server.\n"
          "\n"
          "  --db FILE         release database built by 'bhxh-geo import'\n"
          "  --bind ADDR       numeric address to listen on (default 127.0.0.1)\n"
          "  --port N          TCP port, 0 for any free port (default 8080)\n"
          "  --threads N       worker threads (default: one per CPU)\n"
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

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"bind", required_argument, NULL, 'b'},
        {"port", required_argument, NULL, 'p'}, {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    struct server_config cfg = {.bind = "127.0.0.1", .port = 8080};
    long v;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            cfg.db_path = optarg;
            break;
        case 'b':
            cfg.bind = optarg;
            break;
        case 'p':
            if ((v = parse_count("--port", optarg, 0, 65535)) < 0)
                return 2;
            cfg.port = (unsigned)v;
            break;
        case 't':
            if ((v = parse_count("--threads", optarg, 1, 256)) < 0)
                return 2;
            cfg.threads = (unsigned)v;
            break;
        case 'h':
            usage_serve(stdout);
            return 0;
        default:
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
    fprintf(stderr, "bhxh-geo: unknown command \"%s\"\n", cmd);
    usage_main(stderr);
    return 2;
}
