/*
 * be: big-endian loads and stores on byte pointers (network order), byte by
 * byte so no packet byte is ever read through a wider pointer (STYLE.md
 * practice 5). Header-only, for the wire library and the media modules.
 */
#ifndef GW_BE_H
#define GW_BE_H

#include <stdint.h>

static inline uint16_t
gw_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
gw_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
gw_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
gw_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
