#!/bin/bash
# uml-run.sh CMD [ARGS...]: runs CMD inside a User-Mode Linux guest that has kernel SCTP, and exits
# with CMD's exit status. The guest (Debian's user-mode-linux kernel, which ships sctp.ko) boots
# with the host's / as its root (hostfs), so it runs the host's node, node_modules and this
# checkout. Recipe and pitfalls: ../shared/specs/sctp-testing.md (docs/sctp.md summarises them).
# Env: UML_MEM (default 1G), UML_TIMEOUT seconds (default 600), UML_VERBOSE=1 (kernel log on
# stderr), UML_ARGS (extra kernel command line), UML_TMPDIR (where UML keeps the guest-RAM file).
# Exit status: CMD's; 97 = sctp.ko did not load; 125 = the guest gave no status (timeout/crash).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
command -v linux.uml >/dev/null 2>&1 || { echo "uml-run: linux.uml not found: apt-get install user-mode-linux" >&2; exit 2; }
W=$(mktemp -d /tmp/uml-run.XXXXXX)        # on the host fs: the guest sees it through hostfs
U=; trap '[ -z "$U" ] || kill $U 2>/dev/null || true; rm -rf "$W"' EXIT
export -p > "$W/env.sh"                   # the guest's PID 1 starts with an empty environment
printf '%q ' "$@" > "$W/cmd"
cat > "$W/init" <<INIT
#!/bin/bash
# PID 1 inside the guest
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mkdir -p /dev/shm /dev/pts; mount -t tmpfs tmpfs /dev/shm; mount -t devpts devpts /dev/pts
ip link set lo up                          # a fresh kernel has lo down
echo 20 > /proc/sys/vm/dirty_writeback_centisecs; echo 20 > /proc/sys/vm/dirty_expire_centisecs  # output reaches the host quickly
M=/usr/lib/uml/modules/\$(uname -r)/kernel
# Dependency order (modules.dep); hmac.ko is not listed but SCTP cookies need hmac(md5), else listen() = ENOSYS.
MODS="\$M/lib/crc-ccitt.ko \$M/net/ipv6/ipv6.ko \$M/net/ipv4/udp_tunnel.ko \$M/net/ipv6/ip6_udp_tunnel.ko \$M/crypto/hmac.ko \$M/net/sctp/sctp.ko"
load_mods() {
  if [ -x /usr/sbin/insmod ]; then for m in \$MODS; do /usr/sbin/insmod "\$m" || return 1; done; return 0; fi
  /usr/bin/python3 - \$MODS <<'PY'    # no kmod: finit_module(2) directly (x86_64 syscall 313)
import ctypes, os, sys, errno
libc = ctypes.CDLL(None, use_errno=True)
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); r = libc.syscall(313, fd, b"", 0); e = ctypes.get_errno(); os.close(fd)
    if r != 0 and e != errno.EEXIST: sys.exit("insmod %s: %s" % (p, os.strerror(e)))
PY
}
if ! load_mods; then echo "uml-run: loading sctp.ko failed" >&2; echo 97 > "$W/rc"; echo o > /proc/sysrq-trigger; sleep 10; fi
# A dummy interface (no device behind it: nothing leaves the guest) with a TEST-NET-1 address
# (RFC 5737): freeDiameter skips loopback interfaces and needs one other local address for its CER.
MODS="\$M/drivers/net/dummy.ko"; load_mods && ip link add fd0 type dummy && ip addr add 192.0.2.1/32 dev fd0 && ip link set fd0 up || echo "uml-run: no dummy interface" >&2
source "$W/env.sh" 2>/dev/null
export UML_GUEST=1
cd "$PWD"
( eval "\$(cat "$W/cmd")" ) < /dev/null > "$W/out" 2> "$W/err"
echo \$? > "$W/rc"
sync
echo o > /proc/sysrq-trigger               # no init system: power off through sysrq
sleep 10
INIT
chmod +x "$W/init"
quiet="quiet loglevel=3"; [ "${UML_VERBOSE:-0}" = 1 ] && quiet=
# Guest RAM is a file in TMPDIR: /dev/shm is much faster, if it has room and allows exec mappings.
mem_kb=$(( $(numfmt --from=iec "${UML_MEM:-1G}") / 1024 ))
tmp=/tmp; [ "$(df --output=avail -k /dev/shm 2>/dev/null | tail -1)" -gt $((mem_kb + 65536)) ] 2>/dev/null \
  && ! findmnt -no OPTIONS --target /dev/shm | grep -qw noexec && tmp=/dev/shm
: > "$W/out"; : > "$W/err"
con=3; [ "${UML_VERBOSE:-0}" = 1 ] && con=4
TMPDIR="${UML_TMPDIR:-$tmp}" timeout -k 5 "${UML_TIMEOUT:-600}" linux.uml mem="${UML_MEM:-1G}" $quiet ${UML_ARGS:-} \
  rootfstype=hostfs rootflags=/ rw init="$W/init" con=null con0=null,fd:$con \
  </dev/null 3>"$W/console.log" 4>&2 2>>"$W/uml.stderr" &
U=$!
tail -q -s 0.2 -n +1 -f --pid=$U "$W/out" & T1=$!
tail -q -s 0.2 -n +1 -f --pid=$U "$W/err" >&2 & T2=$!
urc=0; wait $U || urc=$?; U=
wait $T1 $T2 || true
if [ -s "$W/rc" ]; then exit "$(cat "$W/rc")"; fi
echo "uml-run: no exit status from the guest (linux.uml/timeout rc=$urc; 124 = timed out). Console / UML stderr tail:" >&2
tail -n 20 "$W/console.log" "$W/uml.stderr" >&2 || true; exit 125
