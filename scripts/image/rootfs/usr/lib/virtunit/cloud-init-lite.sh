# cloud-init-lite.sh - the NoCloud subset of cloud-init that virtunit's test
# image honours. Sourced by /etc/init.d/rcS (busybox ash); the contract is in
# scripts/image/README.md of the virtunit repository.
#
#   cil_find_seed   find the filesystem labelled cidata, copy its files
#   cil_parse       parse meta-data (MD_*), user-data (UD_*), network-config
#                   (NC_*) with yaml2flat.awk, one awk run per file
#   cil_identity    hostname, /etc/hostname, /etc/hosts
#   cil_ssh         /root/.ssh/authorized_keys and the dropbear host keys
#   cil_users       the users entries other than root: account, home, keys
#   cil_ssh_check   (after dropbear started) log the host keys it presents
#   cil_network     network-config version 2, or DHCP on the first NIC
#   cil_final       write_files, then runcmd, then the status that
#                   /usr/bin/cloud-init (status [--wait] [--long]) reports
#
# Every step logs to the console with the prefix "virtunit-init:"; what is
# malformed is logged as "virtunit-init: ERROR: ..." and skipped, and the rest
# is still applied, so that SSH comes up with whatever could be understood.
# Lookups set REPLY instead of printing, to spare a process each.

CIL_LIB=/usr/lib/virtunit
CIL_RUN=/run/virtunit
CIL_SEED=$CIL_RUN/seed
CIL_HAVE_SEED=0
CIL_NL='
'
mkdir -p $CIL_RUN $CIL_SEED

vlog() {
    local up _r
    read -r up _r </proc/uptime
    echo "virtunit-init: $*"
    echo "$up $*" >>$CIL_RUN/boot.log
}
verr() { vlog "ERROR: $*"; }
cil_yaml_error() { verr "$CIL_CUR: $*"; }

# CIL_NOW = centiseconds since boot
cil_now() {
    local up _r
    read -r up _r </proc/uptime
    up=${up%.*}${up#*.}
    while [ ${#up} -gt 1 ] && [ "${up#0}" != "$up" ]; do up=${up#0}; done
    CIL_NOW=$up
}

# cil_v PREFIX PATH: REPLY = the value at PATH (status 1 when absent)
cil_v() {
    local var=$1${2//[!A-Za-z0-9_]/_}
    if eval "[ -n \"\${$var+x}\" ]"; then
        eval "REPLY=\$$var"
        return 0
    fi
    REPLY=
    return 1
}

# cil_k PREFIX PATH: REPLY = the keys (or indexes) directly below PATH
cil_k() {
    local var=${1}K_${2//[!A-Za-z0-9_]/_}
    eval "REPLY=\${$var-}"
}

# cil_items PREFIX PATH: ITEMS = the items of the sequence at PATH, or its
# single value, one a line
cil_items() {
    local i
    ITEMS=
    cil_k "$1" "$2"
    if [ -n "$REPLY" ]; then
        for i in $REPLY; do
            cil_v "$1" "$2.$i" && [ -n "$REPLY" ] && ITEMS="$ITEMS$REPLY$CIL_NL"
        done
    elif cil_v "$1" "$2" && [ -n "$REPLY" ]; then
        ITEMS="$REPLY$CIL_NL"
    fi
}

cil_true() { case "$1" in true|True|TRUE|yes|Yes|YES|on|On|ON|1) return 0 ;; esac; return 1; }

# ---- seed ---------------------------------------------------------------------
# Template mode. cil_template_port: CIL_PORT = the device of the virtio port
# named dev.virtunit.identity (status 1 when the guest has no virtio-serial
# device, or no such port within a second). There is no udev, hence no
# /dev/virtio-ports/NAME link: the name is in sysfs.
cil_template_port() {
    local f n i=0
    CIL_PORT=
    set -- /sys/bus/virtio/drivers/virtio_console/virtio*
    [ -e "$1" ] || return 1
    while :; do
        for f in /sys/class/virtio-ports/*/name; do
            [ -f "$f" ] && read -r n <"$f" && [ "$n" = dev.virtunit.identity ] || continue
            f=${f%/name}
            CIL_PORT=/dev/${f##*/}
            return 0
        done
        i=$((i + 1))
        [ $i -ge 50 ] && return 1
        usleep 20000
    done
}

# cil_template_identity LOADERS: waits (after the module loaders LOADERS, so a
# copy has every driver) for the identity on CIL_PORT, one item a line, from
# "virtunit-identity 2" to "end", and answers "ok":
#   time SECONDS                 the host's clock (UTC seconds since 1970)
#   random TEXT                  written to /dev/urandom (mixed into the pool)
#   mac OLD NEW                  the NIC that has MAC OLD takes MAC NEW
#   file NAME COUNT              a seed file (meta-data, user-data,
#                                network-config): the next COUNT lines
#   end
# Plain lines and shell builtins only: every process costs tens of
# milliseconds under emulation. The port reads as empty while no host program
# is connected: poll it. What reached the port just as it was closed is lost
# (the kernel drops it), so the host sends again until it has the answer; a
# new header starts afresh.
cil_template_identity() {
    local line got a n b p k
    wait $1
    vlog "template: waiting for identity on $CIL_PORT"
    while :; do
        got=
        exec 3<>$CIL_PORT
        while IFS= read -r line <&3; do
            case "$line" in
                "virtunit-identity 2") got=started; rm -f $CIL_SEED/meta-data $CIL_SEED/user-data $CIL_SEED/network-config ;;
                "time "*) date -u -s "@${line#time }" >/dev/null 2>&1 || verr "template: cannot set the clock" ;;
                "random "*) echo "${line#random }" >/dev/urandom ;;
                "mac "*)
                    set -- ${line#mac }
                    for p in /sys/class/net/*; do
                        read -r a <$p/address 2>/dev/null && [ "$a" = "$1" ] || continue
                        ip link set dev ${p##*/} address "$2" || verr "template: cannot set MAC $2 on ${p##*/}"
                    done ;;
                "file "*)
                    set -- ${line#file }
                    b=/dev/null
                    case "$1" in
                        meta-data|user-data|network-config) b=$CIL_SEED/$1 ;;
                        *) verr "template: unknown seed file '$1'" ;;
                    esac
                    k=${2:-0}
                    {
                        while [ "$k" -gt 0 ] && IFS= read -r line <&3; do
                            printf '%s\n' "$line"
                            k=$((k - 1))
                        done
                    } >$b ;;
                end) [ "$got" = started ] && got=1 && break ;;
            esac
        done
        if [ "$got" = 1 ]; then
            echo ok >&3
            exec 3>&-
            break
        fi
        exec 3>&-
        usleep 20000
    done
    n=
    for b in meta-data user-data network-config; do [ -f $CIL_SEED/$b ] && n="$n $b"; done
    vlog "template: identity received on $CIL_PORT:${n:- no files}"
    CIL_HAVE_SEED=1
}

# Waits up to virtunit.seedwait=SECONDS (kernel command line, default 4) for a
# filesystem labelled cidata or CIDATA (iso9660 or vfat, on a CD-ROM or a disk).
cil_find_seed() {
    local wait=4 a dev= lbl= end f found= fstype cmdline p
    read -r cmdline </proc/cmdline
    for a in $cmdline; do
        case $a in virtunit.seedwait=*) wait=${a#*=} ;; esac
    done
    cil_now
    end=$((CIL_NOW + wait * 100))
    while :; do
        for lbl in cidata CIDATA; do
            dev=$(findfs LABEL=$lbl 2>/dev/null) && break 2
        done
        dev=
        cil_now
        [ "$CIL_NOW" -ge "$end" ] && break
        usleep 50000
    done
    if [ -z "$dev" ]; then
        vlog "no cidata seed found (waited ${wait}s): keeping the present configuration"
        return 1
    fi
    mkdir -p $CIL_RUN/seed-mnt
    # the filesystem drivers may still be loading (CIL_LOADERS: their loaders'
    # process ids): retry while one runs, and once more after
    a=0
    until mount -o ro "$dev" $CIL_RUN/seed-mnt 2>$CIL_RUN/err; do
        a=$((a + 1))
        f=0
        for p in ${CIL_LOADERS-}; do kill -0 $p 2>/dev/null && f=1; done
        if [ $f = 0 ] && [ $a -ge 2 ] || [ $a -ge 100 ]; then
            verr "cannot mount the seed $dev: $(cat $CIL_RUN/err)"
            return 1
        fi
        usleep 20000
    done
    while read -r a f fstype a; do
        [ "$f" = $CIL_RUN/seed-mnt ] && break
    done </proc/mounts
    set --
    for f in meta-data user-data vendor-data network-config; do
        if [ -f $CIL_RUN/seed-mnt/$f ]; then
            set -- "$@" $CIL_RUN/seed-mnt/$f
            found="$found $f"
        fi
    done
    [ $# -gt 0 ] && cp "$@" $CIL_SEED/
    umount $CIL_RUN/seed-mnt
    vlog "seed found on $dev ($fstype, label $lbl):${found:- no files}"
    [ -f $CIL_SEED/meta-data ] || verr "the seed has no meta-data (real cloud-init's NoCloud needs it)"
    CIL_HAVE_SEED=1
    return 0
}

# cil_load FILE PREFIX [UNWRAP]: parse one seed file into shell variables
cil_load() {
    CIL_CUR=$1
    eval "$(awk -v sh="$2" -v unwrap="${3-}" -f $CIL_LIB/yaml2flat.awk "$CIL_SEED/$1")"
}

cil_parse() {
    local first k ignored=
    [ -f $CIL_SEED/meta-data ] && cil_load meta-data MD_
    if [ -f $CIL_SEED/user-data ]; then
        first=
        read -r first <$CIL_SEED/user-data
        case "$first" in
            "#cloud-config"*) cil_load user-data UD_ ;;
            "") vlog "user-data is empty" ;;
            "#!"*) verr "user-data is a script; only #cloud-config is supported: ignored" ;;
            *) verr "user-data does not start with #cloud-config: ignored" ;;
        esac
    fi
    [ -f $CIL_SEED/vendor-data ] && vlog "vendor-data ignored"
    if [ -f $CIL_SEED/network-config ]; then
        # the form wrapped in "network:" is the same thing
        if grep -q "^network:" $CIL_SEED/network-config; then
            cil_load network-config NC_ network
        else
            cil_load network-config NC_
        fi
    fi
    cil_k UD_ ""
    for k in $REPLY; do
        case $k in ssh_authorized_keys|ssh_keys|users|hostname|fqdn|write_files|runcmd) ;; *) ignored="$ignored $k" ;; esac
    done
    [ -n "$ignored" ] && vlog "user-data keys ignored:$ignored"
    return 0
}

# ---- identity ----------------------------------------------------------------
cil_identity() {
    local iid name short
    cil_v MD_ instance-id; iid=$REPLY
    [ -f $CIL_SEED/meta-data ] && [ -z "$iid" ] && verr "meta-data has no instance-id"
    cil_v UD_ hostname || cil_v UD_ fqdn || cil_v MD_ local-hostname
    name=$REPLY
    if [ -n "$iid" ]; then
        mkdir -p /var/lib/virtunit
        echo "$iid" >/var/lib/virtunit/instance-id
    fi
    if [ -z "$name" ]; then
        vlog "instance ${iid:-?}: no local-hostname, hostname stays $(hostname)"
        return 0
    fi
    case "$name" in
        *[!A-Za-z0-9.-]*|-*|.*)
            verr "invalid hostname '$name': hostname stays $(hostname)"
            return 0 ;;
    esac
    short=${name%%.*}
    hostname "$short"
    echo "$short" >/etc/hostname
    {
        echo "127.0.0.1	localhost"
        if [ "$short" != "$name" ]; then echo "127.0.1.1	$name $short"; else echo "127.0.1.1	$short"; fi
        echo "::1	localhost ip6-localhost ip6-loopback"
    } >/etc/hosts
    vlog "instance ${iid:-?}: hostname $short"
}

# ---- ssh -----------------------------------------------------------------------
cil_ssh() {
    local keys= n=0 k u t
    [ -f $CIL_SEED/user-data ] || return 0

    # authorized keys: ssh_authorized_keys, and those of a "users" entry named root
    cil_items UD_ ssh_authorized_keys
    keys=$ITEMS
    cil_k UD_ users
    for u in $REPLY; do
        cil_v UD_ users.$u.name && [ "$REPLY" = root ] || continue
        cil_items UD_ users.$u.ssh_authorized_keys
        keys="$keys$ITEMS"
    done
    cil_authorize /root root:root "$keys"
    n=$N
    if [ $n -gt 0 ]; then
        vlog "ssh: $n authorized key(s) for root"
    else
        verr "user-data gives no ssh_authorized_keys: nobody can log in over SSH"
    fi

    # host keys given in ssh_keys (OpenSSH format) -> dropbear format
    cil_k UD_ ssh_keys
    case " $REPLY " in *_private" "*) ;; *) return 0 ;; esac
    rm -f /etc/dropbear/dropbear_*_host_key /etc/dropbear/dropbear_*_host_key.pub
    mkdir -p /etc/dropbear
    CIL_HOSTKEYS=
    for t in $REPLY; do
        case "$t" in
            ed25519_private|ecdsa_private|rsa_private) ;;
            *_public|*_certificate) continue ;;
            *) verr "ssh_keys.$t is not supported, ignored"; continue ;;
        esac
        t=${t%_private}
        cil_v UD_ ssh_keys.${t}_private
        (umask 077; printf '%s\n' "$REPLY" >$CIL_RUN/hostkey.$t)
        k=/etc/dropbear/dropbear_${t}_host_key
        if dropbearconvert openssh dropbear $CIL_RUN/hostkey.$t $k >$CIL_RUN/err 2>&1; then
            CIL_HOSTKEYS="$CIL_HOSTKEYS $t"
        else
            verr "ssh_keys.${t}_private is not a usable OpenSSH private key: $(tail -n 1 $CIL_RUN/err)"
            rm -f $k
        fi
        rm -f $CIL_RUN/hostkey.$t
    done
    return 0
}

# cil_authorize HOME OWNER KEYS: write HOME/.ssh/authorized_keys (KEYS one a
# line, what is no public key skipped); N = how many were written
cil_authorize() {
    local home=$1 owner=$2 k
    N=0
    mkdir -p "$home/.ssh"
    chmod 700 "$home" "$home/.ssh"
    : >"$home/.ssh/authorized_keys.new"
    chmod 600 "$home/.ssh/authorized_keys.new"
    while IFS= read -r k; do
        case "$k" in
            "") ;;
            ssh-*|ecdsa-*|sk-*|*" ssh-"*|*" ecdsa-"*|*" sk-"*) echo "$k" >>"$home/.ssh/authorized_keys.new"; N=$((N + 1)) ;;
            *) verr "ssh_authorized_keys: not an SSH public key, skipped: $k" ;;
        esac
    done <<EOF
$3
EOF
    mv "$home/.ssh/authorized_keys.new" "$home/.ssh/authorized_keys"
    chown -R "$owner" "$home"
}

# users entries other than root: the account (no password: "*" so that key
# logins work; no sudo on this image), its home and its keys.
# A shell the image lacks (/bin/bash) becomes /bin/sh.
cil_users() {
    local u name shell home uid
    cil_k UD_ users
    for u in $REPLY; do
        if ! cil_v UD_ users.$u.name; then
            cil_v UD_ users.$u
            [ "$REPLY" = default ] || verr "users.$u has no name, ignored"
            continue
        fi
        name=$REPLY
        [ "$name" = root ] && continue
        case "$name" in
            ""|*[!a-z0-9_-]*|[0-9-]*) verr "users.$u: invalid user name '$name', ignored"; continue ;;
        esac
        cil_v UD_ users.$u.shell; shell=${REPLY:-/bin/sh}
        [ -x "$shell" ] || shell=/bin/sh
        home=/home/$name
        cil_v UD_ users.$u.homedir && [ -n "$REPLY" ] && home=$REPLY
        if ! grep -q "^$name:" /etc/passwd; then
            # the image's busybox has no adduser: the account's lines, its own group, uid from 1000
            uid=1000
            while grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd || grep -q "^[^:]*:[^:]*:$uid:" /etc/group; do uid=$((uid + 1)); done
            echo "$name:x:$uid:$uid::$home:$shell" >>/etc/passwd
            echo "$name:*:19000:0:99999:7:::" >>/etc/shadow
            grep -q "^$name:" /etc/group || echo "$name:x:$uid:" >>/etc/group
            mkdir -p "$home"
        fi
        cil_items UD_ users.$u.ssh_authorized_keys
        cil_authorize "$home" "$name:$name" "$ITEMS"
        vlog "users: $name ($shell), $N authorized key(s)"
    done
}

# After dropbear started (off the critical path): the public keys that it
# presents, compared with ssh_keys.<type>_public; kept as <key>.pub.
cil_ssh_check() {
    local t k have want
    for t in ${CIL_HOSTKEYS-}; do
        k=/etc/dropbear/dropbear_${t}_host_key
        dropbearkey -y -f $k 2>/dev/null | awk '$1 ~ /^(ssh-|ecdsa-)/ { print $1, $2; exit }' >$k.pub
        read -r have <$k.pub
        if cil_v UD_ ssh_keys.${t}_public; then
            set -- $REPLY
            want="$1 $2"
            if [ "$want" = "$have" ]; then
                vlog "ssh: host key $t from ssh_keys (matches ${t}_public)"
            else
                verr "ssh_keys.${t}_public does not match ${t}_private: the server presents $have"
            fi
        else
            vlog "ssh: host key $t from ssh_keys ($have)"
        fi
    done
}

# ---- network -------------------------------------------------------------------
# REPLY = the first Ethernet NIC by interface index
cil_first_nic() {
    local d best= bi=999999 i t
    for d in /sys/class/net/*; do
        [ -e "$d/type" ] || continue
        read -r t <$d/type
        [ "$t" = 1 ] || continue
        read -r i <$d/ifindex
        if [ "$i" -lt "$bi" ]; then bi=$i; best=${d##*/}; fi
    done
    REPLY=$best
}

cil_nic_by_mac() {
    local d a
    for d in /sys/class/net/*; do
        [ -e "$d/address" ] || continue
        read -r a <$d/address
        [ "$a" = "$1" ] && { REPLY=${d##*/}; return 0; }
    done
    REPLY=
    return 1
}

cil_nic_by_name() {
    local d
    for d in /sys/class/net/*; do
        case "${d##*/}" in $1) REPLY=${d##*/}; return 0 ;; esac
    done
    REPLY=
    return 1
}

cil_dhcp() {
    local dev=$1
    ip link set "$dev" up
    udhcpc -f -i "$dev" -s $CIL_LIB/udhcpc.script -p /run/udhcpc.$dev.pid -t 5 -T 1 -A 3 \
        -x hostname:"$(hostname)" </dev/null >>$CIL_RUN/udhcpc.$dev.log 2>&1 &
    vlog "network $dev: DHCP started"
}

cil_dhcp_fallback() {
    cil_first_nic
    if [ -z "$REPLY" ]; then
        verr "no network interface found (the image has a driver for virtio-net only)"
        return 0
    fi
    vlog "$1: DHCP on the first NIC, $REPLY"
    cil_dhcp "$REPLY"
}

cil_network() {
    local ver cfg ids id mac mname setname dev target tmp k n a gw to via metric addrs search= sec
    if [ ! -f $CIL_SEED/network-config ]; then
        cil_dhcp_fallback "no network-config"
        return 0
    fi
    cil_v NC_ config
    if [ "$REPLY" = disabled ]; then
        vlog "network-config says config: disabled: network left unconfigured"
        return 0
    fi
    cil_v NC_ version; ver=$REPLY
    case "$ver" in
        2) ;;
        1) verr "network-config version 1 is not supported (use version 2)"; cil_dhcp_fallback "unusable network-config"; return 0 ;;
        *) verr "network-config: version is '$ver', expected 2; reading it as version 2" ;;
    esac
    cil_k NC_ ""
    for sec in $REPLY; do
        case $sec in version|ethernets|renderer|config) ;; *) verr "network-config: '$sec' is not supported, ignored" ;; esac
    done
    cil_k NC_ ethernets; ids=$REPLY
    if [ -z "$ids" ]; then
        verr "network-config has no ethernets"
        cil_dhcp_fallback "unusable network-config"
        return 0
    fi

    # 1. the NIC of each entry: by MAC, by name (glob), or the entry's own name
    : >$CIL_RUN/nics
    n=0
    for id in $ids; do
        cil_v NC_ ethernets.$id.match.macaddress; mac=$REPLY
        mac=$(echo "$mac" | tr 'A-Z' 'a-z')
        cil_v NC_ ethernets.$id.match.name; mname=$REPLY
        cil_v NC_ ethernets.$id.set-name; setname=$REPLY
        cil_k NC_ ethernets.$id.match
        for k in $REPLY; do
            case $k in macaddress|name) ;; *) verr "ethernets.$id: match on '$k' is not supported" ;; esac
        done
        if [ -n "$mac" ]; then
            cil_nic_by_mac "$mac" || { verr "ethernets.$id: no NIC has MAC $mac"; continue; }
        elif [ -n "$mname" ]; then
            cil_nic_by_name "$mname" || { verr "ethernets.$id: no NIC matches name '$mname'"; continue; }
        elif [ -e /sys/class/net/$id ]; then
            REPLY=$id
        else
            verr "ethernets.$id: no match and no NIC named $id"
            continue
        fi
        dev=$REPLY
        if grep -q "^[^ ]* $dev " $CIL_RUN/nics; then
            verr "ethernets.$id: NIC $dev is already configured by another entry, skipped"
            continue
        fi
        case "$setname" in
            *[!A-Za-z0-9_.-]*) verr "ethernets.$id: invalid set-name '$setname', ignored"; setname= ;;
        esac
        echo "$id $dev ${setname:-$dev} vurename$n" >>$CIL_RUN/nics
        n=$((n + 1))
    done

    # 2. set-name: first every renamed NIC to a temporary name, then to its target
    while read -r id dev target tmp; do
        [ "$dev" = "$target" ] && continue
        ip link set "$dev" down
        ip link set "$dev" name "$tmp" || verr "ethernets.$id: cannot rename $dev"
    done <$CIL_RUN/nics
    while read -r id dev target tmp; do
        [ "$dev" = "$target" ] && continue
        [ -e /sys/class/net/$tmp ] || continue
        if [ -e /sys/class/net/$target ]; then
            # the name is taken by a NIC that no entry matched: give that one a free ethN
            k=0
            while [ -e /sys/class/net/eth$k ] || grep -q " eth$k " $CIL_RUN/nics; do k=$((k + 1)); done
            ip link set "$target" down
            ip link set "$target" name "eth$k" && vlog "network: unmatched NIC $target renamed eth$k"
        fi
        if ip link set "$tmp" name "$target"; then
            vlog "network: $dev renamed $target (ethernets.$id)"
        else
            verr "ethernets.$id: cannot rename $dev to $target"
        fi
    done <$CIL_RUN/nics

    # 3. addresses, routes, DNS, DHCP
    : >$CIL_RUN/resolv.conf
    while read -r id dev target tmp; do
        dev=$target
        [ -e /sys/class/net/$dev ] || dev=$tmp
        read -r mac </sys/class/net/$dev/address
        if cil_v NC_ ethernets.$id.mtu; then
            ip link set "$dev" mtu "$REPLY" || verr "ethernets.$id: bad mtu '$REPLY'"
        fi
        ip link set "$dev" up
        addrs=
        cil_items NC_ ethernets.$id.addresses
        for a in $ITEMS; do
            case "$a" in
                */*) if ip addr add "$a" dev "$dev" 2>$CIL_RUN/err; then addrs="$addrs $a"
                     else verr "ethernets.$id: address $a: $(cat $CIL_RUN/err)"; fi ;;
                *) verr "ethernets.$id: address '$a' has no prefix length (like $a/24), skipped" ;;
            esac
        done
        gw=
        for k in gateway4 gateway6; do
            cil_v NC_ ethernets.$id.$k || continue
            a=$REPLY
            if ip route add default via "$a" dev "$dev" 2>$CIL_RUN/err; then gw="$gw $a"
            else verr "ethernets.$id: $k $a: $(cat $CIL_RUN/err)"; fi
        done
        cil_k NC_ ethernets.$id.routes
        for k in $REPLY; do
            cil_v NC_ ethernets.$id.routes.$k.to; to=$REPLY
            cil_v NC_ ethernets.$id.routes.$k.via; via=$REPLY
            cil_v NC_ ethernets.$id.routes.$k.metric; metric=$REPLY
            case "$to" in
                default|0.0.0.0/0|::/0) to=default ;;
                "") verr "ethernets.$id: routes item $k has no 'to'"; continue ;;
            esac
            if ip route add "$to" ${via:+via "$via"} dev "$dev" ${metric:+metric "$metric"} 2>$CIL_RUN/err; then
                [ "$to" = default ] && gw="$gw $via"
            else
                verr "ethernets.$id: route to $to via $via: $(cat $CIL_RUN/err)"
            fi
        done
        cil_items NC_ ethernets.$id.nameservers.addresses
        for a in $ITEMS; do
            grep -q "^nameserver $a\$" $CIL_RUN/resolv.conf || echo "nameserver $a" >>$CIL_RUN/resolv.conf
        done
        cil_items NC_ ethernets.$id.nameservers.search
        for a in $ITEMS; do search="$search $a"; done
        [ -n "$addrs" ] && vlog "network $dev ($mac)$addrs up${gw:+, gateway$gw}"
        cil_v NC_ ethernets.$id.dhcp4
        if cil_true "$REPLY"; then
            cil_dhcp "$dev"
        elif [ -z "$addrs" ]; then
            vlog "network $dev ($mac) up without an address (no addresses, dhcp4 not true)"
        fi
        cil_v NC_ ethernets.$id.dhcp6 && cil_true "$REPLY" && verr "ethernets.$id: dhcp6 is not supported"
    done <$CIL_RUN/nics
    [ -n "$search" ] && echo "search$search" >>$CIL_RUN/resolv.conf
    [ -s $CIL_RUN/resolv.conf ] && cp $CIL_RUN/resolv.conf /etc/resolv.conf
    [ -s $CIL_RUN/nics ] || cil_dhcp_fallback "no ethernets entry matched a NIC"
    return 0
}

# ---- write_files, runcmd (cloud-init's init and final stages) ----------------
CIL_STATUS=$CIL_RUN/cloud-init.status
CIL_OUTPUT=/var/log/cloud-init-output.log

# write_files: path, content, encoding (b64/base64), permissions, owner, append
cil_write_files() {
    local i path enc perms owner content append
    cil_k UD_ write_files
    for i in $REPLY; do
        if ! cil_v UD_ write_files.$i.path || [ -z "$REPLY" ]; then
            verr "write_files.$i has no path, ignored"
            CIL_FAILED=1
            continue
        fi
        path=$REPLY
        cil_v UD_ write_files.$i.encoding; enc=$REPLY
        cil_v UD_ write_files.$i.permissions; perms=${REPLY:-0644}
        cil_v UD_ write_files.$i.owner; owner=$REPLY
        cil_v UD_ write_files.$i.append; append=$REPLY
        cil_v UD_ write_files.$i.content; content=$REPLY
        mkdir -p "${path%/*}"
        case "$enc" in
            b64|base64) printf '%s' "$content" | base64 -d >$CIL_RUN/file ;;
            ""|text/plain) printf '%s' "$content" >$CIL_RUN/file ;;
            *) verr "write_files.$i: encoding '$enc' is not supported, $path not written"; CIL_FAILED=1; continue ;;
        esac
        if cil_true "$append"; then cat $CIL_RUN/file >>"$path"; else cat $CIL_RUN/file >"$path"; fi
        rm -f $CIL_RUN/file
        chmod "$perms" "$path" || CIL_FAILED=1
        if [ -n "$owner" ]; then chown "$owner" "$path" || CIL_FAILED=1; fi
        vlog "write_files: $path ($perms)"
    done
}

# runcmd: a string runs with sh -c, a list is the command and its arguments;
# the output goes to /var/log/cloud-init-output.log as with cloud-init
cil_runcmd() {
    local i j cmd rc
    cil_k UD_ runcmd
    for i in $REPLY; do
        cil_k UD_ runcmd.$i
        if [ -n "$REPLY" ]; then
            cmd=
            for j in $REPLY; do
                cil_v UD_ runcmd.$i.$j
                cmd="$cmd '$(printf '%s' "$REPLY" | sed "s/'/'\\\\''/g")'"
            done
        else
            cil_v UD_ runcmd.$i; cmd=$REPLY
        fi
        sh -c "$cmd" </dev/null >>$CIL_OUTPUT 2>&1 && rc=0 || rc=$?
        if [ $rc = 0 ]; then
            vlog "runcmd.$i ran"
        else
            verr "runcmd.$i failed (exit $rc), its output is in $CIL_OUTPUT"
            CIL_FAILED=1
        fi
    done
}

# write_files, runcmd, then the status /usr/bin/cloud-init reports: done, or
# error when a file could not be written or a command failed (as cloud-init)
cil_final() {
    CIL_FAILED=0
    mkdir -p /var/log
    if [ "$CIL_HAVE_SEED" = 1 ]; then
        cil_write_files
        cil_runcmd
    fi
    if [ $CIL_FAILED = 0 ]; then echo done >$CIL_STATUS.new; else echo error >$CIL_STATUS.new; fi
    mv $CIL_STATUS.new $CIL_STATUS
}
