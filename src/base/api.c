/* api.c — the smallest public calls: the library's version (for programs and the Python package
 * linked at run time against a libclgan that may differ from the header they were built with),
 * and freeing memory the library handed out. */
#include <stdlib.h>

#include "clgan/clgan.h"

const char *clg_version(void) { return CLGAN_VERSION; }

void clg_free(void *p) { free(p); }
