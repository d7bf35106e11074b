/*
 * options: --crs, --encoding and --columns turned into what each file of
 * the run uses (struct imp_file: crs, encoding, recoder) and the header
 * mappings (c->colmap), plus the PROJ transformer of the run. A value
 * applies to every file, or, written FILE=VALUE, to that file only; a
 * FILE= value wins over a plain one whatever their order.
 */
#include "import/internal.h"

#include "import/import.h"

#include <stdio.h>
#include <string.h>

/* The file s[0..n) names ("facilities.csv" or "facilities"), or -1. */
static int file_index(const struct imp_ctx *c, const char *s, size_t n)
{
    for (int i = 0; i < IMP_NFILES; i++) {
        const char *name = c->files[i].name;
        size_t len = strlen(name);
        if ((n == len || (n + 4 == len && strcmp(name + n, ".csv") == 0)) &&
            strncmp(name, s, n) == 0)
            return i;
    }
    return -1;
}

/*
 * Splits arg into its file and value: returns the file's index, IMP_NFILES
 * for a plain value (every file), or -1 after reporting an unknown file.
 */
static int scope(struct imp_ctx *c, const char *opt, const char *arg, const char **value)
{
    const char *eq = strchr(arg, '=');
    *value = arg;
    if (eq == NULL)
        return IMP_NFILES;
    int i = file_index(c, arg, (size_t)(eq - arg));
    if (i < 0) {
        fprintf(c->log, "--%s: \"%.*s\" is not a file of the import (FILE=VALUE, FILE one of", opt,
                (int)(eq - arg), arg);
        for (int k = 0; k < IMP_NFILES; k++)
            fprintf(c->log, "%s %s", k ? "," : "", c->files[k].name);
        fputs(")\n", c->log);
        return -1;
    }
    *value = eq + 1;
    return i;
}

static int apply_crs(struct imp_ctx *c, const struct import_opts *o)
{
    for (int i = 0; i < IMP_NFILES; i++)
        c->files[i].crs = GEO_CRS_WGS84;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned k = 0; k < o->ncrs; k++) {
            const char *v;
            struct geo_crs crs;
            struct err e;
            int i = scope(c, "crs", o->crs[k], &v);
            if (i < 0)
                return 2;
            if ((i == IMP_NFILES) != (pass == 0))
                continue;
            if (!geo_crs_parse(v, &crs, &e)) {
                fprintf(c->log, "--%s\n", e.msg);
                return 2;
            }
            for (int j = 0; j < IMP_NFILES; j++)
                if (i == IMP_NFILES || i == j)
                    c->files[j].crs = crs;
        }
    }
    return 0;
}

static int apply_encoding(struct imp_ctx *c, const struct import_opts *o)
{
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned k = 0; k < o->nencoding; k++) {
            const char *v;
            enum recode_encoding enc;
            int i = scope(c, "encoding", o->encoding[k], &v);
            if (i < 0)
                return 2;
            if ((i == IMP_NFILES) != (pass == 0))
                continue;
            if (!recode_parse_name(v, &enc)) {
                fprintf(c->log, "--encoding: \"%.40s\" is not one of utf-8, cp1258, tcvn3\n", v);
                return 2;
            }
            for (int j = 0; j < IMP_NFILES; j++)
                if (i == IMP_NFILES || i == j)
                    c->files[j].encoding = enc;
        }
    }
    for (int j = 0; j < IMP_NFILES; j++) {
        struct err e;
        struct imp_file *f = &c->files[j];
        if (f->encoding != RECODE_UTF8 && (f->recoder = recoder_new(f->encoding, &e)) == NULL) {
            fprintf(c->log, "--encoding: %s\n", e.msg);
            return 2;
        }
    }
    return 0;
}

int imp_options_init(struct imp_ctx *c, const struct import_opts *o)
{
    struct err e;
    bool io = false;
    int rc;

    if ((rc = apply_crs(c, o)) != 0 || (rc = apply_encoding(c, o)) != 0)
        return rc;
    if ((c->colmap = colmap_load(o->columns, &e, &io)) == NULL) {
        fprintf(c->log, "%s\n", e.msg);
        return io ? 2 : 1;
    }
    if ((c->geo = geo_transformer_new()) == NULL) {
        fputs("out of memory\n", c->log);
        return 2;
    }
    return 0;
}

void imp_options_free(struct imp_ctx *c)
{
    for (int i = 0; i < IMP_NFILES; i++) {
        recoder_free(c->files[i].recoder);
        c->files[i].recoder = NULL;
    }
    colmap_free(c->colmap);
    c->colmap = NULL;
    geo_transformer_free(c->geo);
    c->geo = NULL;
}
