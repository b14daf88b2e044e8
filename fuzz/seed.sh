#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the project's fixtures (fixtures/*/...,
# tests/data/nvidia-smi/*.csv): real files, so the fuzzer starts from valid
# input and mutates from there. Idempotent: seeds are named by content hash.
# Usage: fuzz/seed.sh   (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
corpus="$here/corpus"
cd "$top"

# seed TARGET FILE...: copies each FILE into corpus/TARGET under its hash.
seed() {
    t=$1
    shift
    mkdir -p "$corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$corpus/$t/seed-$(sha1sum <"$f" | cut -c1-16)"
    done
}

# seed_text TARGET TEXT: a literal seed (backslash escapes as printf %b).
seed_text() {
    mkdir -p "$corpus/$1"
    printf '%b' "$2" >"$corpus/$1/lit-$(printf '%b' "$2" | sha1sum | cut -c1-16)"
}

seed stat fixtures/*/proc/stat
seed meminfo fixtures/*/proc/meminfo
seed diskstats fixtures/*/proc/diskstats
seed netdev fixtures/*/proc/net/dev
seed loadavg fixtures/*/proc/loadavg
seed pressure fixtures/*/proc/pressure/*
seed mounts $(find fixtures -name mounts -type f)
seed statvfs fixtures/*/statvfs
seed udev $(find fixtures -path '*/run/udev/data/*' -type f)
seed pid_stat /proc/self/stat /proc/1/stat
seed_text pid_stat '1234 (a) b) c) S 1 1 1 0 -1 4194560 100 0 0 0 17 4 0 0 20 0 1 0 42 1000000 200 18446744073709551615\n'
seed cpulist $(find fixtures/*/sys/devices/system/cpu -maxdepth 1 -type f \( -name online -o -name possible -o -name present \))
seed_text cpulist '0-4,10-14\n'
seed_text cpulist '0\n'
# sysfs values: every small single-line file under sys/ (a sample).
seed sysfs $(find fixtures/*/sys -type f -size -64c | head -400)
seed_text sysfs '-256000\n'
seed_text sysfs '1.5e3\n'
# hwmon attribute and chip names: file names under sys/class/hwmon.
mkdir -p "$corpus/hwmon_names"
for f in $(find -L fixtures/*/sys/class/hwmon -maxdepth 2 -mindepth 2 2>/dev/null | sed 's|.*/||' | sort -u); do
    printf '%s' "$f" >"$corpus/hwmon_names/name-$f"
done
for f in $(find -L fixtures/*/sys/class/hwmon -maxdepth 2 -name name -type f 2>/dev/null); do
    seed hwmon_names "$f"
done
seed nvidia_smi $(find fixtures -path '*/nvidia-smi/*.csv' -type f) tests/data/nvidia-smi/*.csv
seed get_throttled $(find fixtures -name get_throttled -type f)
seed_text get_throttled '50005\n'
seed nvme_smart $(find fixtures -name 'smart-log.bin' -type f)
seed device_tree $(find -L fixtures/*/proc/device-tree -maxdepth 3 -type f 2>/dev/null)
seed nvpmodel $(find fixtures -path '*nvpmodel*' -type f)
seed tegra_release fixtures/*/etc/nv_tegra_release
seed update_notifier $(find fixtures -name updates-available -type f)
seed_text update_notifier '\n3 updates can be applied immediately.\n1 of these updates is a standard security update.\n'
# sysfs_tree: byte 0 picks a fixture; one seed per fixture, and one
# that replaces the first file of each with garbage.
mkdir -p "$corpus/sysfs_tree"
i=0
for d in fixtures/*/PROVENANCE.md; do
    printf "\\$(printf %o $i)" >"$corpus/sysfs_tree/fixture-$i"
    printf "\\$(printf %o $i)\\000\\000\\000\\003x\\ny" >"$corpus/sysfs_tree/fixture-$i-garbage"
    i=$((i + 1))
done
for t in $(cat "$here/targets.txt"); do
    printf '%-16s %s seeds\n' "$t" "$(ls "$corpus/$t" 2>/dev/null | wc -l)"
done
