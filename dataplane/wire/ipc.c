/* The one check both ends of the IPC run on the info memzone (gw_ipc.h). */
#include <errno.h>
#include <stdio.h>

#include "gw_ipc.h"

int
gw_ipc_check_info(const struct gw_ipc_info *info, char *err, size_t errlen)
{
	if (info->magic != GW_IPC_MAGIC) {
		snprintf(err, errlen, "shared memory is not an rtcgw dataplane's (magic %08x)",
			 info->magic);
		return -EPROTO;
	}
	if (info->abi_version != GW_IPC_VERSION || info->msg_size != sizeof(struct gw_ipc_msg) ||
	    info->n_counters != GW_CNT_MAX) {
		snprintf(err, errlen,
			 "dataplane speaks IPC ABI v%u (%u-byte messages, %u counters); this "
			 "control plane speaks v%u (%zu-byte messages, %u counters): run a "
			 "matching pair of builds",
			 info->abi_version, info->msg_size, info->n_counters, GW_IPC_VERSION,
			 sizeof(struct gw_ipc_msg), (unsigned)GW_CNT_MAX);
		return -EPROTO;
	}
	if (info->n_workers == 0 || info->n_workers > GW_IPC_MAX_WORKERS ||
	    info->n_ports > GW_IPC_MAX_PORTS) {
		snprintf(err, errlen, "dataplane info is corrupt (%u workers, %u ports)",
			 info->n_workers, info->n_ports);
		return -EPROTO;
	}
	return 0;
}
