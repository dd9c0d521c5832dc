# fish completion for petrel(1). Profile names come from the running petreld.

function __petrel_profiles
    petrel --json profiles 2>/dev/null | string match -ra '"name":"[^"]*"' | string replace -r '^"name":"(.*)"$' '$1'
end

set -l cmds up down status profiles list events check version
complete -c petrel -f
complete -c petrel -l socket -r -F -d 'petreld control socket'
complete -c petrel -l json -d 'print JSON'
complete -c petrel -s h -l help -d 'help'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a up -d 'connect a profile and wait until it is up'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a down -d 'disconnect a profile (all when none is named)'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a status -d "show every profile's state"
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a profiles -d 'list the configured profiles'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a list -d 'list the configured profiles'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a events -d "follow petreld's events"
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a check -d 'validate configuration files'
complete -c petrel -n "not __fish_seen_subcommand_from $cmds" -a version -d 'show the versions of petrel and petreld'
complete -c petrel -n "__fish_seen_subcommand_from up down" -a '(__petrel_profiles)' -d profile
complete -c petrel -n "__fish_seen_subcommand_from up down" -l no-wait -d 'return once petreld accepted'
complete -c petrel -n "__fish_seen_subcommand_from check" -F
