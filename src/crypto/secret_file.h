/* A secret (pre-shared key, password) from a file (PRODUCT.md "Secrets":
 * files 0600, zeroed after use, never logged), for petreld and petrel-gw. */
#ifndef PETREL_CRYPTO_SECRET_FILE_H
#define PETREL_CRYPTO_SECRET_FILE_H

#include <stddef.h>

#include "crypto/secret.h"

#define SECRET_FILE_MAX_LEN 1024u /* a key longer than this is a mistake */

/* Read the key: a regular file, not a symlink, owned by root or by us,
 * mode 0600 or 0400 (no group/other bits), 1..SECRET_FILE_MAX_LEN bytes after
 * one trailing newline is stripped. 0, or a negative errno with *why set
 * to static text for the user (-EPERM for owner/mode, -EINVAL for size). */
int crypto_secret_load_file(const char *path, struct secret **out, const char **why);

#endif
