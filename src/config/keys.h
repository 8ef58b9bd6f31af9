/* keys.h — inside the config part only: the key table (keys.c) that the INI reader (ini.c) and
 * the writer (write.c) share, and applying one section/key/value to a config.
 */
#ifndef CLGAN_CONFIG_KEYS_H
#define CLGAN_CONFIG_KEYS_H

#include <stddef.h>

#include "base/err.h"
#include "config/config.h"

enum { T_INT, T_LONG, T_FLOAT, T_STR, T_ENUM };
/* clg_key_def.flags: a resume may change the key; the resolved text holds the key only when it
 * is not the default (so the text, and the checkpoints holding it, of a config that leaves it out
 * stay what they were before the key existed, and such checkpoints still resume) */
enum { K_RUN_LENGTH = 1, K_OPTIONAL = 2 };

typedef struct clg_key_def {
    const char *section; /* "data", "train", or "net" for generator/discriminator */
    const char *key;
    int type;
    size_t off;          /* in clg_config, or in clg_net_cfg for "net" */
    size_t size;         /* for strings */
    const char *def;
    const char *const *names; /* an enum's names (its values in order), NULL-terminated */
    long ilo, ihi;       /* integers: allowed range */
    double flo, fhi;     /* floats: allowed range, ends open per the flags */
    int flo_open, fhi_open;
    int flags;           /* K_RUN_LENGTH, K_OPTIONAL */
    const char *help;
} clg_key_def;

#define CLG_CONFIG_NKEYS 37
extern const clg_key_def clg_config_keys[CLG_CONFIG_NKEYS];

/* Every key's default into c. */
int clg_config_defaults(struct clg_config *c, clg_err *e);
/* Apply one section/key/value (a `layer` line appends a layer); `where` is "file:line" or
 * "--set ...". CLG_ERR_CONFIG with a message naming where, the section and the key. */
int clg_config_apply(struct clg_config *c, const char *section, const char *key, const char *value, const char *where,
                     clg_err *e);
/* The first byte that cannot stand in a one-line value (a control character other than tab),
 * or NULL. */
const char *clg_config_find_control(const char *s, size_t n);
static inline int clg_config_is_space(char ch) { return ch == ' ' || ch == '\t'; }

#endif
