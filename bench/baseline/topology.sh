#!/usr/bin/env bash
# topology.sh N [IMAGE]: the topology of virtunit's benchmark as the plain script a user would otherwise write, with
# virsh, qemu-img, genisoimage, ssh-keygen, ovs-vsctl, ip, ethtool, nft and ssh:
#   provision  an "upstream" network namespace behind a veth pair, an Open vSwitch bridge (userspace datapath) with
#              the gateway address on a veth, an nftables masquerade toward the upstream
#   boot       N tiny guests, each a qcow2 overlay and a NoCloud seed ISO with a static address, all defined and
#              started before waiting for `ssh ... true` on each
#   ping       one ping through NAT to the upstream from each guest, over ssh, one guest after another
#   teardown   everything removed
# It prints one line per phase, and each guest's qemu memory once all answer SSH:
#   bench phase=provision seconds=0.412
#   bench rss guest=vu-1a2b3c-g1 kib=301234
# Every name carries a fresh 6-hex run id as virtunit's do (vu<run>..., vu-<run>-..., vu_<run>_...), so
# scripts/check-leftovers finds what a killed run left; a trap removes everything on any exit. Run as root, after
# scripts/setup-host; IMAGE defaults to the tiny image scripts/build-test-image makes.
set -euo pipefail
export LC_ALL=C

die() { echo "topology.sh: $*" >&2; exit 1; }

N=${1:-}
[[ "$N" =~ ^[0-9]{1,3}$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 200 ] || {
    echo "usage: topology.sh N [IMAGE]  (N: guests, 1 to 200)" >&2; exit 2; }
IMAGE=$(readlink -f "${2:-/var/cache/virtunit/images/tiny.qcow2}") || die "no image ${2:-}"
[ -r "$IMAGE" ] || die "cannot read the image $IMAGE: build it with scripts/build-test-image"
[ "$(id -u)" -eq 0 ] || die "must run as root (it makes bridges, namespaces and nftables tables)"

RUN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
NS=vu${RUN}u                  # the upstream namespace
UH=vu${RUN}uh; UN=vu${RUN}un  # its veth pair: host end (the NAT uplink), namespace end
BR=vu${RUN}b                  # the OVS bridge
BP=vu${RUN}bp; BG=vu${RUN}bg  # veth pair: bridge port, gateway end (OVS is not in the kernel's path: NAT works)
TABLE=vu_${RUN}_nat
WORK=/var/tmp/vu-${RUN}-bench
VIRSH=(virsh -q -c qemu:///system)
SSH=(ssh -q -i "$WORK/ssh/id" -o UserKnownHostsFile="$WORK/ssh/known_hosts" -o StrictHostKeyChecking=yes
     -o ConnectTimeout=2 -o BatchMode=yes -o LogLevel=ERROR)
FORWARD_WAS=
GUESTS=()

cleanup() { # everything of this run, whatever exists; quiet, never fails
    set +e
    local d
    for d in $("${VIRSH[@]}" list --all --name 2>/dev/null | grep "^vu-$RUN-"); do
        "${VIRSH[@]}" destroy "$d" >/dev/null 2>&1
        "${VIRSH[@]}" undefine "$d" >/dev/null 2>&1
    done
    nft delete table ip "$TABLE" 2>/dev/null
    ovs-vsctl --if-exists del-br "$BR" 2>/dev/null
    ip link del "$BG" 2>/dev/null
    ip link del "$UH" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$WORK"
    [ "$FORWARD_WAS" = 0 ] && sysctl -qw net.ipv4.ip_forward=0
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Timing: bash's own clock, so measuring costs no process.
began=
start() { began=$EPOCHREALTIME; }
done_phase() { awk -v a="$began" -v b="$EPOCHREALTIME" -v p="$1" 'BEGIN { printf "bench phase=%s seconds=%.3f\n", p, b - a }'; }

# Two /24s no route touches (not even a wider one): the host must keep reaching its package archives and resolver.
free_subnet() {
    local a b net taken
    for _ in $(seq 200); do
        a=$((200 + RANDOM % 50)); b=$((RANDOM % 256)); net=10.$a.$b
        taken=$(ip -4 route show table all root "$net.0/24"; ip -4 route show table all match "$net.0/24" | grep -v '^default' || true)
        [ -z "$taken" ] && [ "$net" != "${1:-}" ] && { echo "$net"; return 0; }
    done
    die "no free 10.x.y.0/24 subnet after 200 tries: see ip route"
}
UP=$(free_subnet)
LAN=$(free_subnet "$UP")

# qemu runs as its own user: it must reach the disks and seeds (the client key stays in a private folder).
mkdir -m 755 "$WORK"
mkdir -m 700 "$WORK/ssh"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$WORK/ssh/id"
: > "$WORK/ssh/known_hosts"

# --- provision ---------------------------------------------------------------------------------------------------
start
FORWARD_WAS=$(sysctl -n net.ipv4.ip_forward)
[ "$FORWARD_WAS" = 1 ] || sysctl -qw net.ipv4.ip_forward=1
ip netns add "$NS"
ip link add "$UH" type veth peer name "$UN" netns "$NS"
ip addr add "$UP.1/24" dev "$UH"
ip link set "$UH" up
ip -n "$NS" addr add "$UP.2/24" dev "$UN"
ip -n "$NS" link set "$UN" up
ip -n "$NS" link set lo up
ovs-vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev
ip link add "$BP" type veth peer name "$BG"
ovs-vsctl add-port "$BR" "$BP"
# The userspace datapath does not fill in offloaded checksums: TCP through it breaks unless the veth computes them.
ethtool -K "$BP" tx off >/dev/null
ethtool -K "$BG" tx off >/dev/null
ip addr add "$LAN.1/24" dev "$BG"
# The host answers ARP for its addresses on every interface, and the userspace datapath lets it see the frames of
# OVS's ports: the bridge's interface or a port would answer "who has the gateway" before the veth end does, and the
# traffic would skip the veth. ARP off on everything of the bridge but the gateway end (guests' taps included, below).
ip link set dev "$BR" arp off
ip link set dev "$BP" arp off
ip link set "$BR" up
ip link set "$BP" up
ip link set "$BG" up
nft -f - <<EOF
table ip $TABLE {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr $LAN.0/24 oifname "$UH" masquerade
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname "$BG" oifname "$UH" accept
        iifname "$UH" oifname "$BG" ct state established,related accept
        iifname "$UH" oifname "$BG" drop
    }
}
EOF
done_phase provision

# --- boot: every guest defined and started, then each awaited -----------------------------------------------------
start
for i in $(seq "$N"); do
    name=vu-$RUN-g$i
    dir=$WORK/g$i
    mac=$(printf '52:54:00:%s:%s:%02x' "${RUN:0:2}" "${RUN:2:2}" "$i")
    addr=$LAN.$((10 + i))
    mkdir -p "$dir/seed"
    qemu-img create -q -f qcow2 -b "$IMAGE" -F qcow2 "$dir/disk.qcow2"
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$dir/hostkey"
    echo "$addr $(cut -d' ' -f1,2 "$dir/hostkey.pub")" >> "$WORK/ssh/known_hosts"
    printf 'instance-id: %s\nlocal-hostname: %s\n' "$name" "$name" > "$dir/seed/meta-data"
    {
        echo '#cloud-config'
        echo 'ssh_authorized_keys:'
        echo "  - $(cat "$WORK/ssh/id.pub")"
        echo 'ssh_keys:'
        echo '  ed25519_private: |'
        sed 's/^/    /' "$dir/hostkey"
        echo "  ed25519_public: $(cat "$dir/hostkey.pub")"
    } > "$dir/seed/user-data"
    cat > "$dir/seed/network-config" <<EOF
version: 2
ethernets:
  nic0:
    match:
      macaddress: "$mac"
    set-name: eth0
    addresses: [$addr/24]
    routes:
      - to: 0.0.0.0/0
        via: $LAN.1
EOF
    genisoimage -quiet -output "$dir/seed.iso" -volid cidata -joliet -rock "$dir/seed"
    # The shape virtunit gives a tiny guest, so the two compare tools, not domains: 256 MiB, 1 vCPU, TCG with a
    # 256 MiB translation cache, offloads off on the NIC (the OVS userspace datapath's checksum trap).
    cat > "$dir/domain.xml" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><tcg><tb-cache unit='MiB'>256</tb-cache></tcg></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$dir/disk.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='$dir/seed.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <interface type='bridge'>
      <mac address='$mac'/><source bridge='$BR'/><virtualport type='openvswitch'/><model type='virtio'/>
      <driver name='qemu'><host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/><guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/></driver>
    </interface>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
EOF
    "${VIRSH[@]}" define "$dir/domain.xml" >/dev/null
    "${VIRSH[@]}" start "$name" >/dev/null
    ip link set dev "$("${VIRSH[@]}" domiflist "$name" | awk '{ print $1; exit }')" arp off
    GUESTS+=("$name=$addr")
done
for guest in "${GUESTS[@]}"; do
    name=${guest%%=*}; addr=${guest#*=}
    deadline=$((SECONDS + 180))
    until "${SSH[@]}" "root@$addr" true 2>/dev/null; do
        [ "$SECONDS" -lt "$deadline" ] || die "guest $name ($addr) did not answer ssh within 180 s; its console: virsh console $name"
        sleep 0.2
    done
done
done_phase boot
for guest in "${GUESTS[@]}"; do
    name=${guest%%=*}
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "/run/libvirt/qemu/$name.pid")/status")
    echo "bench rss guest=$name kib=$kib"
done

# --- first assertion: a ping through NAT from every guest ----------------------------------------------------------
start
for guest in "${GUESTS[@]}"; do
    name=${guest%%=*}; addr=${guest#*=}
    "${SSH[@]}" "root@$addr" ping -c 1 -W 5 "$UP.2" >/dev/null || die "guest $name cannot ping the upstream $UP.2 through NAT"
done
done_phase ping

# --- teardown -------------------------------------------------------------------------------------------------------
start
for guest in "${GUESTS[@]}"; do
    name=${guest%%=*}
    "${VIRSH[@]}" destroy "$name" >/dev/null
    "${VIRSH[@]}" undefine "$name" >/dev/null
done
nft delete table ip "$TABLE"
ovs-vsctl del-br "$BR"
ip link del "$BG"
ip link del "$UH"
ip netns del "$NS"
rm -rf "$WORK"
[ "$FORWARD_WAS" = 1 ] || sysctl -qw net.ipv4.ip_forward="$FORWARD_WAS"
FORWARD_WAS=
done_phase teardown
