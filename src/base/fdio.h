/* Whole writes to a file descriptor (files petrel keeps: the DNS backup,
 * tickets), retried on EINTR and short writes. */
#ifndef PETREL_BASE_FDIO_H
#define PETREL_BASE_FDIO_H

#include <stddef.h>

/* 0, or the negative errno of the failed write. */
int pt_write_all(int fd, const void *p, size_t len);

#endif
