/* shape.h — a per-sample tensor shape (C,H,W) and size arithmetic that cannot wrap: what the
 * data set, the layers and the network all describe tensors with.
 */
#ifndef CLGAN_BASE_SHAPE_H
#define CLGAN_BASE_SHAPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct clg_shape {
    int c, h, w;
} clg_shape;

/* a * b, or SIZE_MAX when it overflows (so that a size check downstream fails instead of passing
 * on a wrapped value) */
static inline size_t clg_mul_sat(size_t a, size_t b)
{
    size_t r;
    return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

/* Values per sample (the network has checked every layer's shapes with clg_shape_count). */
static inline size_t clg_shape_size(clg_shape s) { return (size_t)s.c * s.h * s.w; }

/* The same for shapes not checked yet: SIZE_MAX if the product overflows or a dimension is
 * negative. */
static inline size_t clg_shape_count(clg_shape s)
{
    if (s.c < 0 || s.h < 0 || s.w < 0) return SIZE_MAX;
    return clg_mul_sat(clg_mul_sat((size_t)s.c, (size_t)s.h), (size_t)s.w);
}

#endif
