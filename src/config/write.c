/* write.c — the resolved configuration as INI text: every key of every section in the key
 * table's order, then each network's layer lines, each value quoted when reading it bare would
 * change it, so the text always parses back to the same values (and the same text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"

typedef struct text_buf {
    char *s;
    size_t len, cap;
    int oom;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void puts_(text_buf *b, const char *s) { put(b, s, strlen(s)); }

/* `key = value`, the value quoted when reading it bare would change it: empty, spaces at either
 * end, a leading quote, or a ';' or '#' anywhere (a " ;" would start a comment). */
static void put_kv(text_buf *b, const char *key, const char *value)
{
    size_t n = strlen(value);
    int quote = n == 0 || clg_config_is_space(value[0]) || clg_config_is_space(value[n - 1]) || value[0] == '"' || strpbrk(value, ";#");
    puts_(b, key);
    puts_(b, " = ");
    if (!quote) puts_(b, value);
    else {
        put(b, "\"", 1);
        for (const char *p = value; *p; p++) {
            if (*p == '"' || *p == '\\') put(b, "\\", 1);
            put(b, p, 1);
        }
        put(b, "\"", 1);
    }
    put(b, "\n", 1);
}

static void put_section(text_buf *b, const char *section, const void *base, const char *table_sect)
{
    char num[64];
    puts_(b, "[");
    puts_(b, section);
    puts_(b, "]\n");
    for (size_t i = 0; i < CLG_CONFIG_NKEYS; i++) {
        const clg_key_def *k = &clg_config_keys[i];
        if (strcmp(k->section, table_sect)) continue;
        const void *p = (const char *)base + k->off;
        switch (k->type) {
        case T_INT: snprintf(num, sizeof num, "%d", *(const int *)p); break;
        case T_LONG: snprintf(num, sizeof num, "%ld", *(const long *)p); break;
        case T_FLOAT: snprintf(num, sizeof num, "%.9g", *(const float *)p); break; /* 9 digits: exact */
        case T_ENUM: snprintf(num, sizeof num, "%s", k->names[*(const int *)p]); break;
        default:
            /* an unset key without a default (the discriminator's input) is left out */
            if (!*(const char *)p && !*k->def) continue;
            put_kv(b, k->key, (const char *)p);
            continue;
        }
        if ((k->flags & K_OPTIONAL) && !strcmp(num, k->def)) continue;
        put_kv(b, k->key, num);
    }
}

int clg_config_write_text(char **out, size_t *len, const clg_config *c)
{
    text_buf b = {0};
    put_section(&b, "data", c, "data");
    put_section(&b, "train", c, "train");
    const clg_net_cfg *nets[2] = {&c->gen, &c->disc};
    const char *names[2] = {"generator", "discriminator"};
    for (int n = 0; n < 2; n++) {
        put_section(&b, names[n], nets[n], "net");
        for (int i = 0; i < nets[n]->nlayers; i++) put_kv(&b, "layer", nets[n]->layers[i].text);
    }
    if (b.oom) {
        free(b.s);
        *out = NULL;
        if (len) *len = 0;
        return CLG_ERR_NOMEM;
    }
    *out = b.s;
    if (len) *len = b.len;
    return CLG_OK;
}

const char *clg_config_text(clg_config *c)
{
    char *t;
    size_t n;
    if (clg_config_write_text(&t, &n, c) != CLG_OK) return ""; /* reads back as an error, never as another config */
    free(c->text);
    c->text = t;
    c->text_len = n;
    c->text_cap = n + 1;
    return t;
}
