/* A pre-shared key from a file (PRODUCT.md "Secrets": files 0600, zeroed
 * after use, never logged). Lives in src/gw until src/daemon exists;
 * petreld needs the same function (then it moves to a shared module). */
#ifndef PETREL_GW_PSK_H
#define PETREL_GW_PSK_H

#include <stddef.h>

#include "crypto/secret.h"

#define PSK_FILE_MAX_LEN 1024u /* a key longer than this is a mistake */

/* Read the key: a regular file, not a symlink, owned by root or by us,
 * mode 0600 or 0400 (no group/other bits), 1..PSK_FILE_MAX_LEN bytes after
 * one trailing newline is stripped. 0, or a negative errno with *why set
 * to static text for the user (-EPERM for owner/mode, -EINVAL for size). */
int psk_file_load(const char *path, struct secret **out, const char **why);

#endif
