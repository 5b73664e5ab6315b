#!/bin/bash
# selftest.sh: boot virtunit's test image under QEMU (software emulation) and
# check what the Java side relies on. Needs root only for building the image.
#
#   scripts/image/selftest.sh [--cache-dir DIR] [--boots N] [--quick]
#
# Checks: boot to SSH time (N boots with DHCP, median), host key injection
# (ssh-keyscan), user-data's users, write_files and runcmd (cloud-init
# status), SFTP, uname/ip/ping, pty sessions, static addresses (flow
# lists, routes), a vfat seed on a virtio disk, two NICs matched by MAC and
# swapped by set-name, a malformed seed, reboot keeps a file, no seed keeps
# the configuration, QEMU system_powerdown (ACPI) powers off cleanly, poweroff
# from inside, the live ISO with its seed on a second CD-ROM, and that the
# base image is unchanged. QEMU runs with user-mode networking only
# (10.0.2.0/24 inside QEMU, host side on 127.0.0.1).
# Ends with "N passed, N failed".
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
CACHE_DIR=${VIRTUNIT_CACHE_DIR:-/var/cache/virtunit}
BOOTS=3
QUICK=0
while [ $# -gt 0 ]; do
    case "$1" in
        --cache-dir) CACHE_DIR=$2; shift 2 ;;
        --boots) BOOTS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

for t in qemu-system-x86_64 qemu-img ssh ssh-keygen ssh-keyscan sftp xorriso mkfs.vfat mcopy; do
    command -v $t >/dev/null || { echo "selftest: missing $t" >&2; exit 2; }
done
"$HERE/../build-test-image" --cache-dir "$CACHE_DIR" | sed 's/^/  /'
DISK=$(readlink -f "$CACHE_DIR/images/tiny.qcow2")
LIVE=$(readlink -f "$CACHE_DIR/images/tiny-live.iso")
BASE_SUM=$(sha256sum <"$DISK")

T=$(mktemp -d /tmp/virtunit-selftest.XXXXXX)
QPID=
cleanup() {
    [ -n "$QPID" ] && kill "$QPID" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "PASS $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # DESCRIPTION COMMAND...
    local d=$1; shift
    if "$@" >>"$T/check.log" 2>&1; then ok "$d"; else bad "$d"; fi
}
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }

port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; }
pick_port() { local p; while :; do p=$((20000 + RANDOM % 30000)); port_free $p && { echo $p; return; }; done; }
SSH_PORT=$(pick_port)
MON_PORT=$(pick_port)

# keys: the client's, and the host key that the seed injects
ssh-keygen -q -t ed25519 -N '' -C virtunit -f "$T/key"
ssh-keygen -q -t ed25519 -N '' -C root@vu -f "$T/hostkey"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
SSH_OPTS=(-i "$T/key" -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes
          -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5)
# vssh COMMAND: run COMMAND in the guest (a script, so that `bash -c` checks have it too)
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec ssh %s -p %s root@127.0.0.1 "$@"\n' "${SSH_OPTS[*]}" "$SSH_PORT" >"$T/bin/vssh"
chmod 755 "$T/bin/vssh"
export PATH="$T/bin:$PATH"

# make_seed DIR NETWORK-CONFIG-TEXT [USER-DATA-EXTRA]: meta-data, user-data, network-config
make_seed() {
    local d=$1 net=$2 extra=${3:-}
    mkdir -p "$d"
    printf 'instance-id: iid-%s\nlocal-hostname: vu-test\n' "$(basename "$d")" >"$d/meta-data"
    {
        echo "#cloud-config"
        echo "disable_root: false"
        echo "ssh_pwauth: false"
        echo "ssh_authorized_keys:"
        echo "  - $(cat "$T/key.pub")"
        echo "ssh_keys:"
        echo "  ed25519_private: |"
        sed 's/^/    /' "$T/hostkey"
        echo "  ed25519_public: $(cat "$T/hostkey.pub")"
        echo "runcmd:"
        echo "  - [sh, -c, 'echo \"runcmd ran\" > /var/tmp/virtunit-runcmd']"
        echo "  - touch /var/tmp/runcmd-string"
        echo "write_files:"
        echo "  - path: /etc/virtunit-seed-check"
        echo "    permissions: '0640'"
        echo "    content: |"
        echo "      written by write_files"
        echo "users:"
        echo "  - name: tester"
        echo "    shell: /bin/bash"
        echo "    lock_passwd: true"
        echo "    sudo: ALL=(ALL) NOPASSWD:ALL"
        echo "    ssh_authorized_keys:"
        echo "      - $(cat "$T/key.pub")"
        [ -n "$extra" ] && printf '%s\n' "$extra"
    } >"$d/user-data"
    [ -n "$net" ] && printf '%s\n' "$net" >"$d/network-config"
    return 0
}
seed_iso() { xorriso -as mkisofs -quiet -o "$1.iso" -V cidata -J -r "$1" 2>/dev/null; }
seed_vfat() {
    rm -f "$1.img"
    mkfs.vfat -C -n CIDATA "$1.img" 2048 >/dev/null
    MTOOLS_SKIP_CHECK=1 mcopy -i "$1.img" "$1"/* ::/
}

# vm_start NAME [qemu args]: boot an overlay of tiny.qcow2 (or what the args give)
vm_start() {
    local name=$1; shift
    LOG=$T/$name.console
    : >"$LOG"
    T_START=$(now)
    qemu-system-x86_64 -accel tcg -m 256 -smp 2 -display none -no-user-config \
        -serial file:"$LOG" -monitor tcp:127.0.0.1:$MON_PORT,server,nowait \
        -pidfile "$T/qemu.pid" -daemonize "$@"
    QPID=$(cat "$T/qemu.pid")
}
net_args() { # MAC [PORT]: a virtio NIC on QEMU's user network with SSH forwarded
    echo "-netdev user,id=n${3:-0},hostfwd=tcp:127.0.0.1:${2:-$SSH_PORT}-:22 -device virtio-net-pci,netdev=n${3:-0},mac=$1"
}
# wait_ssh [SECONDS]: a cheap banner probe every 0.2 s, then a real `ssh true`;
# BOOT_S = seconds since vm_start
wait_ssh() {
    local limit=${1:-60} t0 i
    t0=$(now)
    rm -f "$T/banner"
    while [ "$(since "$t0" | cut -d. -f1)" -lt "$limit" ]; do
        ( b=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT && head -c 4 <&3" 2>/dev/null || true)
          [ "$b" = SSH- ] && touch "$T/banner" ) &
        sleep 0.2
        if [ -e "$T/banner" ]; then
            for i in $(seq 1 25); do
                if vssh true 2>/dev/null; then BOOT_S=$(since "$T_START"); wait; return 0; fi
                sleep 0.2
            done
        fi
    done
    wait
    return 1
}
vm_gone() { ! kill -0 "$QPID" 2>/dev/null; }
vm_wait_exit() { # SECONDS
    local i
    for i in $(seq 1 $(($1 * 10))); do vm_gone && { QPID=; return 0; }; sleep 0.1; done
    return 1
}
vm_kill() { [ -n "$QPID" ] && { kill "$QPID" 2>/dev/null || true; vm_wait_exit 5 || kill -9 "$QPID" 2>/dev/null || true; }; QPID=; }
monitor() { (exec 3<>/dev/tcp/127.0.0.1/$MON_PORT && echo "$1" >&3 && sleep 0.3) 2>/dev/null; }
overlay() { rm -f "$T/$1.qcow2"; qemu-img create -q -f qcow2 -b "$DISK" -F qcow2 "$T/$1.qcow2"; }

NET_DHCP='version: 2
ethernets:
  nic0:
    match:
      macaddress: "52:54:00:12:34:56"
    set-name: eth0
    dhcp4: true'
make_seed "$T/seed-dhcp" "$NET_DHCP"
seed_iso "$T/seed-dhcp"

echo "== boot to SSH, $BOOTS boots (DHCP, seed on IDE CD-ROM, -smp 2, TCG)"
TIMES=()
for n in $(seq 1 "$BOOTS"); do
    overlay boot$n
    vm_start boot$n -drive file="$T/boot$n.qcow2",if=virtio -cdrom "$T/seed-dhcp.iso" $(net_args 52:54:00:12:34:56)
    if wait_ssh 60; then
        TIMES+=("$BOOT_S")
        echo "  boot $n: ssh true after $BOOT_S s (guest: $(grep -o 'boot finished at [0-9.]*s' "$LOG" || true))"
    else
        bad "boot $n reaches SSH"
        cat "$LOG"
    fi
    [ $n -lt "$BOOTS" ] && vm_kill
done
if [ ${#TIMES[@]} -gt 0 ]; then
    MEDIAN=$(printf '%s\n' "${TIMES[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    echo "  boot to SSH: ${TIMES[*]} s, median $MEDIAN s (host load: $(cut -d' ' -f1-3 /proc/loadavg))"
    ok "boot to SSH (median $MEDIAN s)"
fi

echo "== the running guest ($BOOTS)"
check "host key is the injected one (StrictHostKeyChecking against ed25519_public)" vssh true
check "ssh-keyscan shows ed25519_public" bash -c "ssh-keyscan -t ed25519 -p $SSH_PORT 127.0.0.1 2>/dev/null | awk '{print \$2, \$3}' | grep -qxF \"\$(cut -d' ' -f1,2 $T/hostkey.pub)\""
check "uname -r" bash -c "vssh uname -r | grep -q cloud-amd64"
check "hostname from meta-data" bash -c "[ \"\$(vssh hostname)\" = vu-test ]"
check "DHCP address on eth0" bash -c "vssh ip addr show eth0 | grep -q 'inet 10.0.2.15/24'"
check "default route via DHCP router" bash -c "vssh ip route | grep -q 'default via 10.0.2.2 dev eth0'"
check "ping own address and QEMU's gateway" vssh 'ping -c1 -W2 10.0.2.15 && ping -c1 -W2 10.0.2.2'
check "authorized_keys mode 600, .ssh 700" bash -c "[ \"\$(vssh stat -c %a /root/.ssh /root/.ssh/authorized_keys | tr '\n' ' ')\" = '700 600 ' ]"
check "pty session (devpts)" bash -c "ssh -tt ${SSH_OPTS[*]} -p $SSH_PORT root@127.0.0.1 tty | grep -q /dev/pts/"
head -c 300000 /dev/urandom >"$T/blob"
check "sftp put and get" bash -c "printf 'put $T/blob /tmp/blob\nget /tmp/blob $T/blob.back\n' | sftp -b - ${SSH_OPTS[*]} -P $SSH_PORT root@127.0.0.1 && cmp $T/blob $T/blob.back"
check "scp (SFTP protocol)" bash -c "scp ${SSH_OPTS[*]} -P $SSH_PORT $T/blob root@127.0.0.1:/root/blob2 && [ \"\$(vssh sha256sum /root/blob2 | cut -d' ' -f1)\" = \"\$(sha256sum <$T/blob | cut -d' ' -f1)\" ]"
check "root filesystem is ext4 read-write" bash -c "vssh cat /proc/mounts | grep -q '^/dev/vda2 / ext4 rw'"
check "no ERROR on the console" bash -c "! grep -q 'virtunit-init: ERROR' $LOG"
check "cloud-init status --wait: done (write_files and runcmd finished)" bash -c "vssh cloud-init status --wait | grep -qx 'status: done'"
check "runcmd: a list and a string ran" bash -c "[ \"\$(vssh 'cat /var/tmp/virtunit-runcmd; ls /var/tmp/runcmd-string')\" = 'runcmd ran
/var/tmp/runcmd-string' ]"
check "write_files: content and permissions" bash -c "[ \"\$(vssh 'cat /etc/virtunit-seed-check; stat -c %a /etc/virtunit-seed-check')\" = 'written by write_files
640' ]"
check "users: tester logs in with its key (/bin/sh: no bash here)" bash -c "[ \"\$(ssh ${SSH_OPTS[*]} -p $SSH_PORT tester@127.0.0.1 'id -un; echo \$HOME')\" = 'tester
/home/tester' ]"

echo "== reboot keeps a file"
vssh 'echo persisted >/root/marker; cat /proc/sys/kernel/random/boot_id' >"$T/boot_id.1"
T_START=$(now)
vssh reboot || true
# the second "boot finished" on the console, then SSH
for i in $(seq 1 600); do [ "$(grep -c 'boot finished' "$LOG")" -ge 2 ] && break; sleep 0.1; done
if wait_ssh 30 && [ "$(vssh cat /proc/sys/kernel/random/boot_id)" != "$(cat "$T/boot_id.1")" ]; then
    ok "reboot (from the reboot command to SSH: $BOOT_S s)"
    check "file written before reboot is there" bash -c "[ \"\$(vssh cat /root/marker)\" = persisted ]"
    check "clean shutdown before reboot (root remounted read-only)" grep -q 'root filesystem clean' "$LOG"
    check "no journal recovery after reboot" bash -c "! vssh dmesg | grep -q 'recovery complete'"
else
    bad "reboot"
fi

echo "== ACPI power button (QEMU system_powerdown, what virsh shutdown sends)"
T0=$(now)
monitor system_powerdown
if vm_wait_exit 20; then ok "system_powerdown powered off in $(since "$T0") s"; else bad "system_powerdown powers off"; vm_kill; fi
check "power off was clean" grep -q 'root filesystem clean' "$LOG"

echo "== same disk, no seed: configuration and keys kept"
vm_start noseed -drive file="$T/boot$BOOTS.qcow2",if=virtio $(net_args 52:54:00:12:34:56)
if wait_ssh 60; then ok "boot without seed reaches SSH with the kept keys ($BOOT_S s)"; else bad "boot without seed"; cat "$LOG"; fi
check "no journal recovery after ACPI power off" bash -c "! vssh dmesg | grep -q 'recovery complete'"
check "console says no seed" grep -q 'no cidata seed found' "$LOG"
T0=$(now)
vssh poweroff || true
if vm_wait_exit 20; then ok "poweroff from inside in $(since "$T0") s"; else bad "poweroff from inside"; vm_kill; fi

echo "== static addresses, flow lists, routes; seed as vfat disk (label CIDATA)"
make_seed "$T/seed-static" 'network:
  version: 2
  ethernets:
    id0:
      match: {macaddress: "52:54:00:AB:CD:01"}   # upper case MAC
      set-name: eth0
      addresses: [10.0.2.15/24, "10.0.2.16/24"]
      routes:
        - to: default
          via: 10.0.2.2
      nameservers:
        addresses: [10.0.2.3]
        search: [example.test]'
seed_vfat "$T/seed-static"
overlay static
vm_start static -drive file="$T/static.qcow2",if=virtio -drive file="$T/seed-static.img",if=virtio,format=raw $(net_args 52:54:00:ab:cd:01)
if wait_ssh 60; then
    ok "static config reaches SSH ($BOOT_S s)"
    check "both static addresses" bash -c "vssh ip addr show eth0 | grep -q 'inet 10.0.2.15/24' && vssh ip addr show eth0 | grep -q 'inet 10.0.2.16/24'"
    check "default route from routes:" bash -c "vssh ip route | grep -q 'default via 10.0.2.2 dev eth0'"
    check "resolv.conf" bash -c "vssh cat /etc/resolv.conf | tr '\n' ' ' | grep -q 'nameserver 10.0.2.3 search example.test'"
    check "no DHCP client" bash -c "! vssh pidof udhcpc"
    check "seed read from the vfat disk" grep -q 'seed found on /dev/vdb (vfat, label CIDATA)' "$LOG"
else
    bad "static config reaches SSH"
    cat "$LOG"
fi
vm_kill

echo "== two NICs matched by MAC, names swapped by set-name; gateway4"
make_seed "$T/seed-2nic" 'version: 2
ethernets:
    first:
        match:
            macaddress: 52:54:00:00:00:01
        set-name: eth1
        addresses:
            - 10.0.3.15/24
    second:
        match:
            macaddress: "52:54:00:00:00:02"
        set-name: eth0
        addresses:
            - 10.0.2.15/24
        gateway4: 10.0.2.2'
seed_iso "$T/seed-2nic"
overlay twonic
vm_start twonic -drive file="$T/twonic.qcow2",if=virtio -cdrom "$T/seed-2nic.iso" \
    -netdev user,id=n1,net=10.0.3.0/24,restrict=on -device virtio-net-pci,netdev=n1,mac=52:54:00:00:00:01 \
    $(net_args 52:54:00:00:00:02)
if wait_ssh 60; then
    ok "two NICs reach SSH ($BOOT_S s)"
    check "eth0 is the second NIC with 10.0.2.15" bash -c "vssh ip addr show eth0 | grep -q 'link/ether 52:54:00:00:00:02' && vssh ip addr show eth0 | grep -q 'inet 10.0.2.15/24'"
    check "eth1 is the first NIC with 10.0.3.15" bash -c "vssh ip addr show eth1 | grep -q 'link/ether 52:54:00:00:00:01' && vssh ip addr show eth1 | grep -q 'inet 10.0.3.15/24'"
    check "gateway4" bash -c "vssh ip route | grep -q 'default via 10.0.2.2 dev eth0'"
else
    bad "two NICs reach SSH"
    cat "$LOG"
fi
vm_kill

if [ "$QUICK" = 0 ]; then
    echo "== malformed seed: errors on the console, SSH still up"
    make_seed "$T/seed-bad" 'version: 2
ethernets:
  nic0:
    match:
      macaddress: "52:54:00:12:34:56"
    dhcp4: true
    addresses: [10.0.2.99]
  nic9:
    match: {macaddress: "52:54:00:99:99:99"}
    dhcp4: true
bridges: {}' 'write_files:
  - path: /etc/x
     content: bad indentation
ssh_keys_typo: [unclosed'
    seed_iso "$T/seed-bad"
    overlay bad
    vm_start bad -drive file="$T/bad.qcow2",if=virtio -cdrom "$T/seed-bad.iso" $(net_args 52:54:00:12:34:56)
    if wait_ssh 60; then ok "malformed seed still reaches SSH ($BOOT_S s)"; else bad "malformed seed reaches SSH"; fi
    check "errors reported on the console" bash -c "grep -c 'virtunit-init: ERROR' $LOG | grep -qv '^0$'"
    grep 'virtunit-init: ERROR' "$LOG" | sed 's/^/  console: /'
    vm_kill

    echo "== live ISO, seed on a second CD-ROM"
    vm_start live -cdrom "$LIVE" -drive file="$T/seed-dhcp.iso",media=cdrom,if=ide,index=1 $(net_args 52:54:00:12:34:56)
    if wait_ssh 60; then
        ok "live ISO reaches SSH ($BOOT_S s)"
        check "live: root filesystem in RAM" bash -c "vssh cat /proc/mounts | grep -q '^rootfs / '"
        check "live: seed found on the second CD-ROM" grep -q 'seed found on /dev/sr' "$LOG"
        check "live: writable root" vssh 'echo x >/root/x && cat /root/x'
        T0=$(now)
        monitor system_powerdown
        if vm_wait_exit 20; then ok "live: system_powerdown powered off in $(since "$T0") s"; else bad "live: system_powerdown"; vm_kill; fi
    else
        bad "live ISO reaches SSH"
        cat "$LOG"
        vm_kill
    fi
fi

vm_kill
check "base image unchanged" bash -c "[ \"\$(sha256sum <$DISK)\" = '$BASE_SUM' ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
