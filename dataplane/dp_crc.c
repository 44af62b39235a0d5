/*
 * dp_crc: DPDK's vector CRC-32 for STUN FINGERPRINT (dp_crc.h).
 */
#include "dp_crc.h"

#include <errno.h>

#include <rte_cpuflags.h>
#include <rte_net_crc.h>
#include <rte_vect.h>
#include <zlib.h>

#include "stun.h"

uint32_t
dp_crc32(const uint8_t *p, size_t n)
{
	return rte_net_crc_calc(p, (uint32_t)n, RTE_NET_CRC32_ETH);
}

int
dp_crc_init(void)
{
	static uint8_t buf[2048];

	/* the library falls back from AVX-512 to SSE4.2 to scalar on its own;
	 * the scalar loop is slower than zlib, so keep zlib then */
	if (!rte_cpu_get_flag_enabled(RTE_CPUFLAG_PCLMULQDQ) ||
	    rte_vect_get_max_simd_bitwidth() < RTE_VECT_SIMD_128)
		return 0;
	rte_net_crc_set_alg(RTE_NET_CRC_AVX512);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 17);
	/* every length, at every alignment mod 8 */
	for (size_t n = 0; n + 8 <= sizeof(buf); n++) {
		const uint8_t *p = buf + (n & 7);

		if (dp_crc32(p, n) != (uint32_t)crc32(0L, p, (uInt)n))
			return -EIO;
	}
	gw_stun_set_crc32(dp_crc32);
	return 1;
}
