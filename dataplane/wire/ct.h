/* ct: constant-time comparison and secret wiping (STYLE.md practice 12). */
#ifndef GW_CT_H
#define GW_CT_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Compare two buffers in time that depends only on n.
 * @return true when the n bytes are equal.
 */
bool gw_ct_equal(const void *a, const void *b, size_t n);

/** Overwrite n bytes with zeros in a way the compiler may not elide. */
void gw_wipe(void *p, size_t n);

#endif
