/* ini.c — reading a configuration: INI text (a file or a buffer) into a clg_config through the
 * key table (keys.c), then `--set section.key=value` overrides; an unknown section or key, a key
 * given twice or a bad value is an error naming file:line (or "--set ...").
 *
 * The INI syntax is libinih's (`;` or `#` starts a comment line, ` ;` an inline comment, values
 * are trimmed) without its line-length limit: libinih as Debian builds it cuts lines at 199
 * bytes and reads the rest as a new line, which let the tail of a long comment set a key and
 * made long `--set data.path=` values unreadable once written out. Lines are read whole here, and
 * a value may be written in double quotes (escapes \" and \\) to keep leading or trailing spaces
 * or a " ;"; the writer (write.c) quotes every value that needs it, so its output always reads back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/keys.h"

/* A config (file or buffer) larger than this is refused rather than read. */
#define MAX_CONFIG_BYTES (16u << 20)

/* "file:line" for messages and layer records; a very long file name keeps its end. */
static void format_where(char *out, size_t n, const char *path, int line)
{
    size_t len = strlen(path), keep = n - 16;
    if (len > keep) snprintf(out, n, "...%s:%d", path + len - (keep - 3), line);
    else snprintf(out, n, "%s:%d", path, line);
}

/* The value after '=' (s, n bytes, with no line break), unquoted into `out` (n + 1 bytes). A
 * bare value ends at a ';' that follows a space (an inline comment) and is trimmed; a quoted one
 * ends at its closing quote, after which only a comment may follow. */
static int parse_value(char *out, const char *s, size_t n, const char *where, clg_err *e)
{
    size_t i = 0;
    while (i < n && clg_config_is_space(s[i])) i++;
    if (i < n && s[i] == '"') {
        size_t o = 0;
        for (i++;; i++) {
            if (i >= n) return clg_errf(e, CLG_ERR_CONFIG, "%s: quoted value without its closing quote", where);
            if (s[i] == '"') break;
            if (s[i] == '\\') {
                if (i + 1 >= n || (s[i + 1] != '"' && s[i + 1] != '\\'))
                    return clg_errf(e, CLG_ERR_CONFIG, "%s: in a quoted value a backslash must be followed by \" or \\",
                                    where);
                i++;
            }
            out[o++] = s[i];
        }
        out[o] = 0;
        for (i++; i < n && clg_config_is_space(s[i]); i++) {
        }
        if (i < n && s[i] != ';' && s[i] != '#')
            return clg_errf(e, CLG_ERR_CONFIG,
                            "%s: text after the closing quote of a value (only a ; or # comment may follow)", where);
        return CLG_OK;
    }
    /* as libinih: a ';' right after a space or tab starts a comment (the space after '=' counts) */
    size_t end = 0;
    while (end < n && !(s[end] == ';' && end > 0 && clg_config_is_space(s[end - 1]))) end++;
    while (end > i && clg_config_is_space(s[end - 1])) end--;
    memcpy(out, s + i, end - i);
    out[end - i] = 0;
    return CLG_OK;
}

/* A key set in a section, and the line that set it: a second setting of the same key is an
 * error, not a silent override (`layer` lines repeat by design and are not recorded). */
typedef struct seen_key {
    char section[16];
    const char *key; /* clg_config_keys[]' own name */
    int line;
} seen_key;

/* The line that already set `key` in `section`, recording it at `line` if none did; 0 if none. */
static int seen_before(seen_key *seen, int *nseen, const char *section, const char *key, int line)
{
    const char *name = NULL;
    for (size_t i = 0; i < CLG_CONFIG_NKEYS && !name; i++)
        if (!strcmp(clg_config_keys[i].key, key)) name = clg_config_keys[i].key;
    if (!name) return 0; /* apply() has refused it already */
    for (int i = 0; i < *nseen; i++)
        if (seen[i].key == name && !strcmp(seen[i].section, section)) return seen[i].line;
    seen_key *k = &seen[(*nseen)++]; /* at most one per (section, key): 2 x CLG_CONFIG_NKEYS */
    snprintf(k->section, sizeof k->section, "%s", section);
    k->key = name;
    k->line = line;
    return 0;
}

/* Parse INI text (len bytes, any bytes) into c; `name` stands for the file in messages. */
static int parse_ini(struct clg_config *c, const char *text, size_t len, const char *name, clg_err *e)
{
    char section[16] = "", where[CLG_WHERE];
    char *buf = malloc(len + 1); /* one line's key and value, unquoted */
    if (!buf) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", name);
    int st = CLG_OK, lineno = 0, nseen = 0;
    seen_key seen[2 * CLG_CONFIG_NKEYS];
    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3; /* UTF-8 byte order mark */
    while (st == CLG_OK && pos < len) {
        lineno++;
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && line[n - 1] == '\r') n--;
        format_where(where, sizeof where, name, lineno);
        const char *bad = clg_config_find_control(line, n);
        if (bad) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: %s byte in the config text (byte 0x%02x)", where,
                          *bad ? "a control character" : "a NUL", (unsigned char)*bad);
            break;
        }
        while (n > 0 && clg_config_is_space(*line)) line++, n--;
        while (n > 0 && clg_config_is_space(line[n - 1])) n--;
        if (n == 0 || *line == ';' || *line == '#') continue;
        if (*line == '[') {
            const char *close = memchr(line, ']', n);
            size_t after = close ? (size_t)(close - line) + 1 : n;
            while (after < n && clg_config_is_space(line[after])) after++;
            if (!close || (after < n && line[after] != ';' && line[after] != '#')) {
                st = clg_errf(e, CLG_ERR_CONFIG, "%s: not a valid section header (expected [name])", where);
                break;
            }
            size_t a = 1, b = (size_t)(close - line);
            while (a < b && clg_config_is_space(line[a])) a++;
            while (b > a && clg_config_is_space(line[b - 1])) b--;
            memcpy(buf, line + a, b - a);
            buf[b - a] = 0;
            if (strcmp(buf, "data") && strcmp(buf, "train") && strcmp(buf, "generator") && strcmp(buf, "discriminator")) {
                st = clg_errf(e, CLG_ERR_CONFIG, "%s: unknown section [%s] (known: data, train, generator, discriminator)",
                              where, buf);
                break;
            }
            strcpy(section, buf);
            continue;
        }
        const char *eq = memchr(line, '=', n);
        if (!eq) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: not a valid INI line (expected [section], key = value or a ; comment)",
                          where);
            break;
        }
        size_t kn = (size_t)(eq - line);
        while (kn > 0 && clg_config_is_space(line[kn - 1])) kn--;
        if (kn == 0) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: a value without a key (expected key = value)", where);
            break;
        }
        if (!section[0]) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: key '%.*s' comes before any [section]", where, (int)(kn > 64 ? 64 : kn),
                          line);
            break;
        }
        /* key and value side by side in buf: "key\0value\0" fits in the line's length + 1 */
        memcpy(buf, line, kn);
        buf[kn] = 0;
        char *value = buf + kn + 1;
        size_t vn = n - (size_t)(eq + 1 - line);
        st = parse_value(value, eq + 1, vn, where, e);
        if (st != CLG_OK) break;
        st = clg_config_apply(c, section, buf, value, where, e);
        int first = st == CLG_OK && strcmp(buf, "layer") ? seen_before(seen, &nseen, section, buf, lineno) : 0;
        if (first) {
            st = clg_errf(e, CLG_ERR_CONFIG, "%s: key '%s' in [%s] is already set on line %d (give each key once)",
                          where, buf, section, first);
            break;
        }
        if (st == CLG_OK && (!strcmp(section, "generator") || !strcmp(section, "discriminator"))) {
            clg_net_cfg *net = !strcmp(section, "generator") ? &c->gen : &c->disc;
            if (!net->where[0]) snprintf(net->where, sizeof net->where, "%s", where);
        }
    }
    free(buf);
    return st;
}

int clg_config_load_buffer(clg_config **out, const char *text, size_t len, const char *name, clg_err *e)
{
    *out = NULL;
    if (len > MAX_CONFIG_BYTES)
        return clg_errf(e, CLG_ERR_CONFIG, "%s: the config is %zu bytes; the limit is %u", name, len, MAX_CONFIG_BYTES);
    struct clg_config *c = calloc(1, sizeof *c);
    if (!c) return clg_errf(e, CLG_ERR_NOMEM, "out of memory");
    snprintf(c->path, sizeof c->path, "%s", name);
    int st = clg_config_defaults(c, e);
    if (st == CLG_OK) st = parse_ini(c, text, len, name, e);
    if (st == CLG_OK && c->disc.nlayers == 0)
        st = clg_errf(e, CLG_ERR_CONFIG, "%s: [discriminator] has no `layer = ...` lines", name);
    if (st == CLG_OK && c->gen.nlayers == 0)
        st = clg_errf(e, CLG_ERR_CONFIG, "%s: [generator] has no `layer = ...` lines", name);
    if (st == CLG_OK && !c->gen.input[0])
        st = clg_errf(e, CLG_ERR_CONFIG, "%s: [generator] needs `input = ` (the latent shape, e.g. 100)", name);
    if (st != CLG_OK) {
        clg_config_free(c);
        return st;
    }
    *out = c;
    return CLG_OK;
}

int clg_config_load_file(clg_config **out, const char *path, clg_err *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return clg_errf(e, CLG_ERR_IO, "%s: cannot open config: %s", path, strerror(errno));
    size_t len = 0, cap = 4096;
    char *text = malloc(cap);
    int st = text ? CLG_OK : clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", path);
    while (st == CLG_OK) {
        if (len == cap) {
            char *t = cap <= MAX_CONFIG_BYTES ? realloc(text, cap * 2) : NULL;
            if (!t) {
                st = cap <= MAX_CONFIG_BYTES
                         ? clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", path)
                         : clg_errf(e, CLG_ERR_CONFIG, "%s: the config is larger than %u bytes", path, MAX_CONFIG_BYTES);
                break;
            }
            text = t;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (st == CLG_OK && ferror(f)) st = clg_errf(e, CLG_ERR_IO, "%s: cannot read config: %s", path, strerror(errno));
    fclose(f);
    if (st == CLG_OK) st = clg_config_load_buffer(out, text, len, path, e);
    free(text);
    return st;
}

int clg_config_assign(clg_config *c, const char *assignment, clg_err *e)
{
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    if (!eq || !dot || dot > eq)
        return clg_errf(e, CLG_ERR_CONFIG, "--set %.300s: expected section.key=value (e.g. train.epochs=1)", assignment);
    char section[64], key[64];
    size_t ls = (size_t)(dot - assignment), lk = (size_t)(eq - dot - 1);
    if (ls >= sizeof section || lk >= sizeof key)
        return clg_errf(e, CLG_ERR_CONFIG, "--set %.300s: name too long", assignment);
    memcpy(section, assignment, ls);
    section[ls] = 0;
    memcpy(key, dot + 1, lk);
    key[lk] = 0;
    /* messages quote the assignment, shortened and with control characters shown as '?' */
    char where[CLG_WHERE];
    size_t w = (size_t)snprintf(where, sizeof where, "--set ");
    for (const char *p = assignment; *p && w < 200; p++) where[w++] = clg_config_find_control(p, 1) ? '?' : *p;
    if (w >= 200) where[w++] = '.', where[w++] = '.', where[w++] = '.';
    where[w] = 0;
    return clg_config_apply(c, section, key, eq + 1, where, e);
}

/* ---- the public forms (clgan.h): the same, with the message copied into err/errlen */
int clg_config_load(clg_config **out, const char *path, char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_config_load_file(out, path, &e));
}

int clg_config_load_text(clg_config **out, const char *text, const char *name, char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_config_load_buffer(out, text, strlen(text), name, &e));
}

int clg_config_set(clg_config *c, const char *assignment, char *err, size_t errlen)
{
    clg_err e = {0};
    return clg_err_export(err, errlen, &e, clg_config_assign(c, assignment, &e));
}

void clg_config_free(clg_config *c)
{
    if (!c) return;
    free(c->text);
    free(c);
}
