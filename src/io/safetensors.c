/* safetensors.c — the safetensors reader and writer behind checkpoints. Header JSON is parsed
 * and built with cJSON; shapes (exact integers, overflow-checked products), dtypes and data offsets
 * are validated against the file before anything is used.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgan/clgan.h"
#include "io/file.h"
#include "io/safetensors.h"

static size_t dtype_size(const char *d)
{
    if (!strcmp(d, "F32") || !strcmp(d, "I32") || !strcmp(d, "U32")) return 4;
    if (!strcmp(d, "F64") || !strcmp(d, "I64") || !strcmp(d, "U64")) return 8;
    if (!strcmp(d, "F16") || !strcmp(d, "BF16") || !strcmp(d, "I16")) return 2;
    if (!strcmp(d, "U8") || !strcmp(d, "I8") || !strcmp(d, "BOOL")) return 1;
    return 0;
}

static char *xstrdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (d) strcpy(d, s);
    return d;
}

int clg_st_add(clg_st_file *f, const char *name, const char *dtype, int ndim, const int64_t *dims, const void *data,
               size_t nbytes)
{
    if (ndim > CLG_ST_MAX_DIMS || strlen(name) >= sizeof f->t[0].name) return CLG_ERR_ARG;
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 64;
        clg_st_tensor *t = realloc(f->t, (size_t)cap * sizeof *t);
        if (!t) return CLG_ERR_NOMEM;
        f->t = t;
        f->cap = cap;
    }
    clg_st_tensor *t = &f->t[f->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->dtype, sizeof t->dtype, "%s", dtype);
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->dims[i] = dims[i];
    t->data = data;
    t->nbytes = nbytes;
    return CLG_OK;
}

int clg_st_set_meta(clg_st_file *f, const char *key, const char *value)
{
    if (f->nmeta == f->meta_cap) {
        int cap = f->meta_cap ? f->meta_cap * 2 : 16;
        char **k = realloc(f->meta_keys, (size_t)cap * sizeof *k), **v = k ? realloc(f->meta_vals, (size_t)cap * sizeof *v) : NULL;
        if (k) f->meta_keys = k;
        if (!k || !v) return CLG_ERR_NOMEM;
        f->meta_vals = v;
        f->meta_cap = cap;
    }
    f->meta_keys[f->nmeta] = xstrdup(key);
    f->meta_vals[f->nmeta] = xstrdup(value);
    if (!f->meta_keys[f->nmeta] || !f->meta_vals[f->nmeta]) return CLG_ERR_NOMEM;
    f->nmeta++;
    return CLG_OK;
}

/* An integer written with all its digits: cJSON prints numbers with 15 significant digits when
 * they compare equal within a relative epsilon, which rounds integers above 2^49 or so. */
static cJSON *json_int(uint64_t v)
{
    char d[24];
    snprintf(d, sizeof d, "%llu", (unsigned long long)v);
    return cJSON_CreateRaw(d);
}

int clg_st_write(const clg_st_file *f, const char *path, clg_err *e)
{
    cJSON *h = cJSON_CreateObject();
    if (!h) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", path);
    if (f->nmeta) {
        cJSON *m = cJSON_AddObjectToObject(h, "__metadata__");
        for (int i = 0; i < f->nmeta; i++) cJSON_AddStringToObject(m, f->meta_keys[i], f->meta_vals[i]);
    }
    size_t off = 0;
    for (int i = 0; i < f->n; i++) {
        const clg_st_tensor *t = &f->t[i];
        cJSON *o = cJSON_AddObjectToObject(h, t->name);
        cJSON_AddStringToObject(o, "dtype", t->dtype);
        cJSON *shape = cJSON_AddArrayToObject(o, "shape");
        for (int k = 0; k < t->ndim; k++) cJSON_AddItemToArray(shape, json_int((uint64_t)t->dims[k]));
        cJSON *offs = cJSON_AddArrayToObject(o, "data_offsets");
        cJSON_AddItemToArray(offs, json_int(off));
        cJSON_AddItemToArray(offs, json_int(off + t->nbytes));
        off += t->nbytes;
    }
    char *json = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    if (!json) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", path);
    size_t hl = strlen(json), padded = (hl + 7) / 8 * 8;
    char tmp[CLG_TMP_PATH];
    FILE *fp;
    int st = clg_tmp_open(&fp, tmp, path, e);
    if (st != CLG_OK) {
        free(json);
        return st;
    }
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    int ok = fwrite(len8, 1, 8, fp) == 8 && fwrite(json, 1, hl, fp) == hl;
    for (size_t i = hl; i < padded && ok; i++) ok = fputc(' ', fp) != EOF;
    for (int i = 0; i < f->n && ok; i++) ok = fwrite(f->t[i].data, 1, f->t[i].nbytes, fp) == f->t[i].nbytes;
    free(json);
    return clg_tmp_commit(fp, tmp, path, ok, 1, e);
}

static int bad(clg_err *e, const char *path, const char *what)
{
    return clg_errf(e, CLG_ERR_FORMAT, "%s: not a valid safetensors file: %s", path, what);
}

/* A JSON number that is an integer in [0, 2^53] (exact in a double): *v; else 0. */
static int json_count(uint64_t *v, const cJSON *x)
{
    if (!cJSON_IsNumber(x)) return 0;
    double d = x->valuedouble;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d) return 0;
    *v = (uint64_t)d;
    return 1;
}

/* Parse f->blob (size bytes, owned by f) into tensors and metadata. */
static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(const clg_st_tensor *const *)a)->name, (*(const clg_st_tensor *const *)b)->name);
}

/* JSON leaves a repeated key to the reader; here a tensor named twice is an error (which of the two
 * a lookup finds would otherwise depend on order). Sorted, so a huge header stays n log n. */
static int check_unique(clg_st_file *f, const char *name, clg_err *e)
{
    if (f->n < 2) return CLG_OK;
    const clg_st_tensor **s = malloc((size_t)f->n * sizeof *s);
    if (!s) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", name);
    for (int i = 0; i < f->n; i++) s[i] = &f->t[i];
    qsort(s, (size_t)f->n, sizeof *s, cmp_name);
    int st = CLG_OK;
    for (int i = 1; i < f->n && st == CLG_OK; i++)
        if (!strcmp(s[i]->name, s[i - 1]->name)) {
            char why[240];
            snprintf(why, sizeof why, "tensor \"%.100s\" appears twice in the header", s[i]->name);
            st = bad(e, name, why);
        }
    free(s);
    return st;
}

static int parse_blob(clg_st_file *f, size_t size, const char *name, clg_err *err)
{
    if (size < 8) return bad(err, name, "shorter than its 8-byte header length");
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)f->blob[i] << (8 * i);
    if (hl > (uint64_t)size - 8 || hl > 100u << 20)
        return bad(err, name, "header length is larger than the file (truncated?)");
    char *json = malloc(hl + 1);
    if (!json) return clg_errf(err, CLG_ERR_NOMEM, "%s: out of memory", name);
    memcpy(json, f->blob + 8, hl);
    json[hl] = 0;
    cJSON *h = cJSON_Parse(json);
    free(json);
    if (!h || !cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return bad(err, name, "the header is not a JSON object");
    }
    const unsigned char *data = f->blob + 8 + hl;
    uint64_t data_len = (uint64_t)size - 8 - hl;
    int st = CLG_OK;
    char why[300];
    cJSON *it;
    cJSON_ArrayForEach(it, h)
    {
        if (!strcmp(it->string, "__metadata__")) {
            if (!cJSON_IsObject(it)) {
                st = bad(err, name, "__metadata__ is not an object");
                break;
            }
            cJSON *m;
            cJSON_ArrayForEach(m, it)
            {
                if (!cJSON_IsString(m)) {
                    snprintf(why, sizeof why, "metadata \"%.100s\" is not a string", m->string);
                    st = bad(err, name, why);
                    break;
                }
                if ((st = clg_st_set_meta(f, m->string, m->valuestring)) != CLG_OK) {
                    clg_errf(err, st, "%s: out of memory", name);
                    break;
                }
            }
            if (st != CLG_OK) break;
            continue;
        }
        cJSON *dt = cJSON_GetObjectItemCaseSensitive(it, "dtype"), *sh = cJSON_GetObjectItemCaseSensitive(it, "shape"),
              *of = cJSON_GetObjectItemCaseSensitive(it, "data_offsets");
        if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2 ||
            cJSON_GetArraySize(sh) > CLG_ST_MAX_DIMS || !dtype_size(dt->valuestring)) {
            snprintf(why, sizeof why, "tensor \"%.100s\" has a bad dtype, shape or data_offsets", it->string);
            st = bad(err, name, why);
            break;
        }
        /* Every dimension and offset an exact integer, the element count without overflow, and
         * the byte range inside the data and exactly count * dtype size long. */
        int64_t dims[CLG_ST_MAX_DIMS];
        int nd = cJSON_GetArraySize(sh);
        uint64_t count = 1, b, e, dsz = dtype_size(dt->valuestring);
        int ok = 1;
        for (int k = 0; k < nd && ok; k++) {
            uint64_t v;
            ok = json_count(&v, cJSON_GetArrayItem(sh, k));
            if (ok && v && count > UINT64_MAX / dsz / v) ok = 0;
            if (ok) count *= v, dims[k] = (int64_t)v;
        }
        if (!ok) {
            snprintf(why, sizeof why, "tensor \"%.100s\": its shape is not a list of integers of at most 2^53 with "
                     "a product that fits", it->string);
            st = bad(err, name, why);
            break;
        }
        if (!json_count(&b, cJSON_GetArrayItem(of, 0)) || !json_count(&e, cJSON_GetArrayItem(of, 1)) || e < b ||
            e > data_len || e - b != count * dsz) {
            snprintf(why, sizeof why, "tensor \"%.100s\": its data_offsets do not hold %llu elements of %s within "
                     "%llu data bytes (truncated?)", it->string, (unsigned long long)count, dt->valuestring,
                     (unsigned long long)data_len);
            st = bad(err, name, why);
            break;
        }
        if (strlen(it->string) >= sizeof f->t[0].name) {
            st = bad(err, name, "a tensor name is too long");
            break;
        }
        if ((st = clg_st_add(f, it->string, dt->valuestring, nd, dims, data + b, (size_t)(e - b))) != CLG_OK) {
            clg_errf(err, st, "%s: out of memory", name);
            break;
        }
    }
    cJSON_Delete(h);
    if (st == CLG_OK) st = check_unique(f, name, err);
    return st;
}

int clg_st_parse(clg_st_file *f, const void *buf, size_t len, const char *name, clg_err *e)
{
    memset(f, 0, sizeof *f);
    f->blob = malloc(len ? len : 1);
    if (!f->blob) return clg_errf(e, CLG_ERR_NOMEM, "%s: out of memory", name);
    if (len) memcpy(f->blob, buf, len);
    int st = parse_blob(f, len, name, e);
    if (st != CLG_OK) clg_st_free(f);
    return st;
}

int clg_st_read(clg_st_file *f, const char *path, clg_err *e)
{
    memset(f, 0, sizeof *f);
    size_t size;
    int st = clg_read_file(&f->blob, &size, path, INT64_MAX, 0, e);
    if (st == CLG_OK) st = parse_blob(f, size, path, e);
    if (st != CLG_OK) clg_st_free(f);
    return st;
}

const clg_st_tensor *clg_st_find(const clg_st_file *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->t[i].name, name)) return &f->t[i];
    return NULL;
}

const char *clg_st_meta(const clg_st_file *f, const char *key)
{
    for (int i = 0; i < f->nmeta; i++)
        if (!strcmp(f->meta_keys[i], key)) return f->meta_vals[i];
    return NULL;
}

void clg_st_free(clg_st_file *f)
{
    for (int i = 0; i < f->nmeta; i++) free(f->meta_keys[i]), free(f->meta_vals[i]);
    free(f->meta_keys);
    free(f->meta_vals);
    free(f->t);
    free(f->blob);
    memset(f, 0, sizeof *f);
}
