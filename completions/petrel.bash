# bash completion for petrel(1). Profile names come from the running petreld
# (`petrel profiles --json`); without it, nothing is offered for them.

_petrel_profiles()
{
	local sock=() i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--socket) sock=(--socket "${COMP_WORDS[i + 1]}") ;;
		--socket=*) sock=("${COMP_WORDS[i]}") ;;
		esac
	done
	petrel "${sock[@]}" --json profiles 2>/dev/null |
		grep -o '"name":"[^"]*"' | sed 's/^"name":"//; s/"$//'
}

_petrel()
{
	local cur prev cmd i
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	}
	local commands="up down status profiles list events check version"

	if [[ $prev == --socket ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
	fi
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--socket) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--socket --json --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return
	fi
	case $cmd in
	up | down)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--no-wait --json --socket --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_petrel_profiles)" -- "$cur")
		fi
		;;
	check)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--json --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null
		fi
		;;
	*)
		mapfile -t COMPREPLY < <(compgen -W "--json --socket --help" -- "$cur")
		;;
	esac
}
complete -F _petrel petrel
