#!/bin/sh
# Stop every process, flush and remount the root filesystem read-only, then
# power off or reboot at once.
#   shutdown.sh stop       what busybox init runs at shutdown (::shutdown)
#   shutdown.sh poweroff   the ACPI power button (virsh shutdown, system_powerdown)
#   shutdown.sh reboot|halt
# (`reboot` and `poweroff` in a shell are busybox's: they signal init, which
# runs "shutdown.sh stop" and then waits 2 s before it reboots or powers off.)
action=${1:-stop}
trap '' HUP INT TERM QUIT
exec </dev/null >/dev/console 2>&1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "virtunit-init: $action: stopping all processes"
kill -TERM -1 2>/dev/null
usleep 100000
kill -KILL -1 2>/dev/null
sync
rootfs=$(awk '$2 == "/" { t = $3 } END { print t }' /proc/mounts)
if [ "$rootfs" = ext4 ]; then
    i=0
    until mount -o remount,ro / 2>/dev/null; do
        i=$((i + 1))
        if [ $i -ge 40 ]; then
            echo "virtunit-init: ERROR: cannot remount / read-only"
            break
        fi
        kill -KILL -1 2>/dev/null
        usleep 50000
    done
    [ $i -lt 40 ] && echo "virtunit-init: $action: root filesystem clean (read-only)"
fi
case "$action" in
    poweroff) echo "virtunit-init: powering off"; /bin/busybox poweroff -f ;;
    reboot) echo "virtunit-init: rebooting"; /bin/busybox reboot -f ;;
    halt) echo "virtunit-init: halted"; /bin/busybox halt -f ;;
esac
exit 0
