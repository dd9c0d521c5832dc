#!/bin/bash
# test-completions.sh: the bash completion offers commands, options and the
# profile names a (fake) petreld reports; zsh and fish files parse when those
# shells are installed. ctest: unit_completions.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
fake=$(mktemp -d /tmp/petrel-compl.XXXXXX)
trap 'rm -rf "$fake"' EXIT
cat > "$fake/petrel" <<'EOS'
#!/bin/sh
echo '{"profiles":[{"name":"work","state":"connected"},{"name":"home","state":"disconnected"}]}'
EOS
chmod +x "$fake/petrel"
fail=0
check() { # WORDS... -- WANT
	local words=() want
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	want=$2
	got=$(PATH="$fake:$PATH" bash -c 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _petrel; echo "${COMPREPLY[*]}"' \
		"$dir/petrel.bash" "${words[@]}")
	if [ "$got" != "$want" ]; then
		echo "FAIL: petrel ${words[*]:1}<TAB>: got '$got', want '$want'"
		fail=1
	fi
}
check petrel "" -- "up down status profiles list events check version"
check petrel --json d -- "down"
check petrel - -- "--socket --json --help"
check petrel up "" -- "work home"
check petrel --socket /x down h -- "home"
check petrel up --n -- "--no-wait"
check petrel status --j -- "--json"
if command -v zsh >/dev/null; then zsh -n "$dir/_petrel" || fail=1; else echo "zsh not installed: _petrel not parsed"; fi
if command -v fish >/dev/null; then fish -n "$dir/petrel.fish" || fail=1; else echo "fish not installed: petrel.fish not parsed"; fi
[ $fail = 0 ] && echo "completions: ok"
exit $fail
