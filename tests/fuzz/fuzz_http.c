/* libFuzzer target: cp_http's request-line gate and request-target check
 * (controlplane/cp_http.c) on arbitrary bytes. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *why = NULL;
	size_t max = size > 0 ? 1 + data[0] % 128 : 64;
	char *target;
	int rc;

	rc = cp_http_request_line_check(buf, size, max, &why);
	if (rc != 0 && rc != -EAGAIN && rc != -EBADMSG && rc != -E2BIG &&
	    rc != -EPROTONOSUPPORT)
		__builtin_trap();
	if ((rc == 0) != (why == NULL))
		__builtin_trap();
	/* A complete line ends in LF within max bytes; "more" never at max. */
	if (rc == 0 && memchr(buf, '\n', size < max ? size : max) == NULL)
		__builtin_trap();
	if (rc == -EAGAIN && size >= max)
		__builtin_trap();

	target = malloc(size + 1);
	if (target == NULL)
		return 0;
	memcpy(target, data, size);
	target[size] = '\0';
	rc = cp_http_target_check(target, &why);
	if (rc != 0 && rc != -EBADMSG)
		__builtin_trap();
	/* An accepted target has no raw or escaped control character. */
	for (size_t i = 0; rc == 0 && target[i] != '\0'; i++)
		if ((unsigned char)target[i] < 0x21 || (unsigned char)target[i] > 0x7e)
			__builtin_trap();
	free(target);
	return 0;
}
