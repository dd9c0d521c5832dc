#!/bin/bash
# check-source.sh [SRCDIR]: the source rules of STYLE.md that a compiler does
# not enforce. Fails listing every offending line.
#  1. banned functions: strcpy sprintf atoi strtok gets alloca system rand
#     (and strcat, vsprintf, atol, atoll, srand);
#  2. plain memcmp in src/crypto, src/esp and src/ike (secrets, MACs, ICVs and
#     AUTH values are compared with crypto_memeq / CRYPTO_memcmp); a line that
#     compares public data may carry the marker "public-memcmp";
#  3. only src/crypto includes <openssl/...>, only src/conf <yaml.h>, only
#     src/ctl and cli <cJSON.h>; src/ike and src/esp never include uv.h.
set -uo pipefail
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 2
fail=0
report() { echo "check-source: $1"; echo "$2" | sed 's/^/    /'; fail=1; }

files=$(find src cli include -name '*.[ch]' 2>/dev/null)
[ -n "$files" ] || { echo "check-source: no sources under $src"; exit 2; }

hits=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|atoll|strtok|gets|alloca|system|rand|srand)[[:space:]]*\(' $files \
	| grep -vE '^\S+:[0-9]+:\s*(/?\*|//)')
[ -z "$hits" ] || report "banned functions (use the bounded alternatives):" "$hits"

hits=$(grep -nE '\bmemcmp[[:space:]]*\(' $(echo "$files" | grep -E '^src/(crypto|esp|ike)/') 2>/dev/null \
	| grep -v 'public-memcmp')
[ -z "$hits" ] || report "plain memcmp where secrets live (use crypto_memeq, or mark public-memcmp):" "$hits"

hits=$(grep -nE '#[[:space:]]*include[[:space:]]*<openssl/' $(echo "$files" | grep -vE '^src/crypto/'))
[ -z "$hits" ] || report "OpenSSL included outside src/crypto:" "$hits"
hits=$(grep -nE '#[[:space:]]*include[[:space:]]*<yaml\.h>' $(echo "$files" | grep -vE '^src/conf/'))
[ -z "$hits" ] || report "yaml.h included outside src/conf:" "$hits"
hits=$(grep -nE '#[[:space:]]*include[[:space:]]*<cjson/cJSON\.h>|<cJSON\.h>' $(echo "$files" | grep -vE '^(src/ctl|cli)/'))
[ -z "$hits" ] || report "cJSON included outside src/ctl and cli:" "$hits"
hits=$(grep -nE '#[[:space:]]*include[[:space:]]*[<"](uv|yaml|cjson/cJSON)\.h' $(echo "$files" | grep -E '^src/(ike|esp)/'))
[ -z "$hits" ] || report "src/ike and src/esp act only through their ops structs:" "$hits"

[ $fail = 0 ] && echo "check-source: $(echo "$files" | wc -l) files clean"
exit $fail
