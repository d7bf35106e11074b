#include "format/yaml_json.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper nesting is refused (it would only come from an alias loop). */
#define MAX_DEPTH 100

static bool one_of(const char *s, const char *a, const char *b, const char *c)
{
    return strcmp(s, a) == 0 || strcmp(s, b) == 0 || strcmp(s, c) == 0;
}

/* Whether s is only characters of set, at least one. */
static bool all_in(const char *s, const char *set)
{
    return *s != '\0' && strspn(s, set) == strlen(s);
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s)
{
    s += *s == '-' || *s == '+';
    size_t ip = strspn(s, "0123456789"), fp = 0;
    s += ip;
    if (*s == '.') {
        fp = strspn(s + 1, "0123456789");
        s += 1 + fp;
    }
    if (ip == 0 && fp == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        s += *s == '-' || *s == '+';
        if (!all_in(s, "0123456789"))
            return false;
        return true;
    }
    return *s == '\0';
}

/* A plain scalar resolved under the core schema. */
static json_t *plain_scalar(const char *s)
{
    const char *digits = s + (*s == '-' || *s == '+');
    if (*s == '\0' || strcmp(s, "~") == 0 || one_of(s, "null", "Null", "NULL"))
        return json_null();
    if (one_of(s, "true", "True", "TRUE"))
        return json_true();
    if (one_of(s, "false", "False", "FALSE"))
        return json_false();
    int base = all_in(digits, "0123456789")                                          ? 10
               : strncmp(s, "0o", 2) == 0 && all_in(s + 2, "01234567")               ? 8
               : strncmp(s, "0x", 2) == 0 && all_in(s + 2, "0123456789abcdefABCDEF") ? 16
                                                                                     : 0;
    if (base != 0) {
        errno = 0;
        long long v = strtoll(base == 10 ? s : s + 2, NULL, base);
        return errno == 0 ? json_integer(v) : json_real(strtod(s, NULL));
    }
    if (is_float(s)) {
        double v = strtod(s, NULL);
        return isfinite(v) ? json_real(v) : json_string(s);
    }
    return json_string(s);
}

static json_t *convert(yaml_document_t *doc, yaml_node_t *node, int depth)
{
    if (node == NULL || depth > MAX_DEPTH)
        return NULL;
    switch (node->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)node->data.scalar.value;
        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            return plain_scalar(s);
        return json_stringn(s, node->data.scalar.length);
    }
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *i = node->data.sequence.items.start;
             a && i < node->data.sequence.items.top; i++) {
            json_t *v = convert(doc, yaml_document_get_node(doc, *i), depth + 1);
            if (v == NULL || json_array_append_new(a, v) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
             o && p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_t *v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1);
            if (k == NULL || k->type != YAML_SCALAR_NODE || v == NULL ||
                json_object_set_new(o, (const char *)k->data.scalar.value, v) != 0) {
                json_decref(v);
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    default:
        return NULL;
    }
}

json_t *yaml_json_parse(const char *text, size_t n, struct err *e)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        err_set(e, "cannot start the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    if (!yaml_parser_load(&parser, &doc)) {
        err_set(e, "%lu: %s", (unsigned long)parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "not YAML");
        yaml_parser_delete(&parser);
        return NULL;
    }
    json_t *v = convert(&doc, yaml_document_get_root_node(&doc), 0);
    if (v == NULL)
        err_set(e, "empty document, a non-string key, an alias loop or out of memory");
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return v;
}
