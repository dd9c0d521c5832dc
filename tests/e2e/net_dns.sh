#!/bin/bash
# e2e: src/net DNS in a private mount namespace (root). The host's
# /etc/resolv.conf and /run are never touched: a tmpfs covers /run and a
# file of ours is bind-mounted over /etc/resolv.conf (so petrel meets a
# mount point there, as in containers, and must write in place).
#   apply/revert: ours in place (marker, servers, search), the backup in
#          /run/petrel (0644, header), then the original back byte for byte;
#   crash: applied, the tool dies; dns-recover restores the original;
#   rewritten: someone (DHCP) replaces resolv.conf while up: revert leaves
#          theirs and drops the stale backup;
#   malformed backup: refused with a clear message, nothing changed;
#   resolved: a fake varlink socket and resolvectl; the per-link argv.
# Usage: net_dns.sh NET-TOOL   (root; exit 77 = skipped)
set -euo pipefail
CASE=netdns
# shellcheck source=tests/e2e/net_lib.sh
. "$(dirname "$0")/net_lib.sh"
net_init "$1"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
command -v python3 >/dev/null || skip "python3 is not installed (makes the fake varlink socket)"
host_sum=$(sha256sum /etc/resolv.conf 2>/dev/null || echo none)

printf '# from DHCP\nnameserver 192.0.2.1\nsearch home.example\noptions edns0\n' > "$WORK/resolv.conf"
chmod 0644 "$WORK/resolv.conf"
cp "$WORK/resolv.conf" "$WORK/orig.conf"

cat > "$WORK/fake-resolvectl" <<EOT
#!/bin/sh
echo "\$*" >> "$WORK/resolvectl.log"
EOT
chmod 0755 "$WORK/fake-resolvectl"

cat > "$WORK/inner.sh" <<'EOT'
set -euo pipefail
mount -t tmpfs -o size=1m,mode=0755 tmpfs /run
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
BK=/run/petrel/resolv.conf.petrel-backup
ifail() { echo "INNER FAIL: $*"; exit 1; }
run_tool() { # OUT ARGS...: start, wait for ready; stdin on fd 4
	local out=$1; shift
	rm -f "$WORK/dctl"; mkfifo "$WORK/dctl"
	timeout 30 "$TOOL" "$@" < "$WORK/dctl" > "$out" 2> "$out.err" &
	TPID=$!
	exec 4> "$WORK/dctl"
	for _ in $(seq 1 50); do grep -qE '^(ready|error)' "$out" && break; sleep 0.1; done
	grep -q '^ready' "$out" || ifail "dns tool: $(cat "$out" "$out.err")"
}
stop_tool() { exec 4>&-; wait "$TPID"; }

# apply / revert
run_tool "$WORK/a.out" dns --server 203.0.113.53 --server 2001:db8:ff::53 --domain corp.example --full --ifname lo
grep -q 'mode=resolv.conf' "$WORK/a.out" || ifail "mode: $(cat "$WORK/a.out")"
want="# petrel: written by petreld while a tunnel is up; the original is restored when it goes down
nameserver 203.0.113.53
nameserver 2001:db8:ff::53
search corp.example"
[ "$(cat /etc/resolv.conf)" = "$want" ] || ifail "applied: $(cat /etc/resolv.conf)"
[ "$(stat -c %a "$BK")" = 644 ] || ifail "backup mode $(stat -c %a "$BK")"
[ "$(head -1 "$BK")" = "# petrel resolv.conf backup v1 file 0644" ] || ifail "backup header: $(head -1 "$BK")"
mountpoint -q /etc/resolv.conf || ifail "the bind mount was replaced"
stop_tool
grep -q 'reverted rc=0' "$WORK/a.out" || ifail "revert: $(cat "$WORK/a.out")"
cmp -s /etc/resolv.conf "$WORK/orig.conf" || ifail "not restored: $(cat /etc/resolv.conf)"
[ ! -e "$BK" ] || ifail "backup left behind"
echo "inner: apply/revert ok"

# crash, then recovery at the next start
run_tool "$WORK/b.out" dns --server 203.0.113.53 --ifname lo --crash
stop_tool
grep -q '^# petrel: written by petreld' /etc/resolv.conf || ifail "crash: ours is not in place"
"$TOOL" dns-recover > "$WORK/b2.out" 2>&1 || ifail "dns-recover: $(cat "$WORK/b2.out")"
cmp -s /etc/resolv.conf "$WORK/orig.conf" || ifail "crash: not restored: $(cat /etc/resolv.conf)"
[ ! -e "$BK" ] || ifail "crash: backup left behind"
"$TOOL" dns-recover > "$WORK/b3.out" 2>&1 || ifail "dns-recover with nothing to do failed"
echo "inner: crash recovery ok"

# rewritten by someone else while up
run_tool "$WORK/c.out" dns --server 203.0.113.53 --ifname lo
printf 'nameserver 198.51.100.53\n' > /etc/resolv.conf
stop_tool
[ "$(cat /etc/resolv.conf)" = "nameserver 198.51.100.53" ] || ifail "rewritten: theirs was clobbered"
[ ! -e "$BK" ] || ifail "rewritten: stale backup left"
grep -q 'was rewritten since' "$WORK/c.out.err" || ifail "rewritten: no log line"
cp "$WORK/orig.conf" /etc/resolv.conf
echo "inner: a rewritten resolv.conf is left alone ok"

# a malformed backup: refused, nothing changed
printf '# petrel: written by petreld while a tunnel is up\nnameserver 203.0.113.53\n' > /etc/resolv.conf
mkdir -p /run/petrel
printf '# petrel resolv.conf backup v1 file 9\nnameserver 192.0.2.66\n' > "$BK"
rc=0; "$TOOL" dns-recover > "$WORK/d.out" 2>&1 || rc=$?
[ $rc = 1 ] || ifail "malformed: exit $rc"
grep -q "resolv.conf.petrel-backup: a bad file mode" "$WORK/d.out" || ifail "malformed: $(cat "$WORK/d.out")"
grep -q 203.0.113.53 /etc/resolv.conf || ifail "malformed: resolv.conf changed"
[ -e "$BK" ] || ifail "malformed: the backup was removed"
rm -f "$BK"
cp "$WORK/orig.conf" /etc/resolv.conf
echo "inner: malformed backup refused ok"

# systemd-resolved: a (fake) varlink socket, resolv.conf linking to its stub
mkdir -p /run/systemd/resolve
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' /run/systemd/resolve/io.systemd.Resolve
: > /run/systemd/resolve/stub-resolv.conf
ln -s /run/systemd/resolve/stub-resolv.conf "$WORK/rc-link"
run_tool "$WORK/e.out" dns --server 203.0.113.53 --server 2001:db8:ff::53 --domain corp.example \
	--domain lab.example --full --ifname lo --resolv-conf "$WORK/rc-link" --resolvectl "$WORK/fake-resolvectl"
grep -q 'mode=systemd-resolved' "$WORK/e.out" || ifail "resolved: mode: $(cat "$WORK/e.out")"
stop_tool
want="dns lo 203.0.113.53 2001:db8:ff::53
domain lo ~. corp.example lab.example
default-route lo yes
revert lo"
[ "$(cat "$WORK/resolvectl.log")" = "$want" ] || ifail "resolved: argv: $(cat "$WORK/resolvectl.log")"
[ "$(readlink "$WORK/rc-link")" = /run/systemd/resolve/stub-resolv.conf ] || ifail "resolved: the link changed"
: > "$WORK/resolvectl.log"
# split: routing domains only, not the default route
run_tool "$WORK/f.out" dns --server 203.0.113.53 --domain corp.example --ifname lo \
	--resolv-conf "$WORK/rc-link" --resolvectl "$WORK/fake-resolvectl"
stop_tool
want="dns lo 203.0.113.53
domain lo corp.example
default-route lo no
revert lo"
[ "$(cat "$WORK/resolvectl.log")" = "$want" ] || ifail "resolved split: argv: $(cat "$WORK/resolvectl.log")"
echo "inner: systemd-resolved argv ok"
EOT

log "private mount namespace: tmpfs on /run, a bind mount over /etc/resolv.conf"
rc=0
export WORK TOOL
timeout 60 ip netns exec "$NS_CLI" unshare -m --propagation private \
	bash "$WORK/inner.sh" > "$WORK/inner.out" 2>&1 || rc=$?
while read -r line; do log "$line"; done < "$WORK/inner.out"
[ $rc = 0 ] || fail "inner script exited $rc"
[ "$(sha256sum /etc/resolv.conf 2>/dev/null || echo none)" = "$host_sum" ] || fail "the host's /etc/resolv.conf changed!"
[ ! -e /run/petrel/resolv.conf.petrel-backup ] || fail "a backup appeared in the host's /run/petrel"
log "pass"
