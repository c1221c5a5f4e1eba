#!/usr/bin/env bash
# Checks systemd/sensoryd.service with systemd's own tools: `systemd-analyze verify` must be
# clean and the offline security exposure at most 2.0, alone and with the secure room's
# credentials drop-in (systemd/sensoryd-credentials.conf, merged in as a second [Service]).
# usage: check_unit.sh UNIT_FILE SENSORYD_BINARY [DROP_IN]
set -euo pipefail
unit=$1
binary=$2
drop_in=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

check() {  # $1: the unit as systemd would merge it; $2: what it is, for the messages
  # verify needs the ExecStart binary to exist: point the unit at the one just built.
  sed "s#/usr/sbin/sensoryd#$binary#g" "$1" >"$work/sensoryd.service"
  verify=$(systemd-analyze verify "$work/sensoryd.service" 2>&1 || true)
  if [ -n "$verify" ]; then
    echo "$verify" >&2
    fail "systemd-analyze verify reported problems ($2)"
  fi
  security=$(systemd-analyze security --offline=true "$work/sensoryd.service" 2>&1 || true)
  exposure=$(sed -n 's/.*Overall exposure level for sensoryd.service: \([0-9.]*\).*/\1/p' <<<"$security")
  [ -n "$exposure" ] || { echo "$security" >&2; fail "no exposure level in the security report ($2)"; }
  awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0 ($2)"
  echo "unit OK ($2): verify clean, exposure $exposure"
}
check "$unit" "the unit"
if [ -n "$drop_in" ]; then
  cat "$unit" "$drop_in" >"$work/merged.service"
  grep -q '^LoadCredential=mqtt-password:' "$work/merged.service" || fail "the drop-in loads no credential"
  check "$work/merged.service" "with the credentials drop-in"
fi

for key in 'Type=notify' 'WatchdogSec=' 'ExecStartPre=.*--check-config' 'ExecReload=' \
           'Restart=on-failure' 'StateDirectory=sensoryd' 'ConfigurationDirectory=sensoryd' \
           'SupplementaryGroups=dialout' 'TimeoutStopSec='; do
  grep -q "^$key" "$unit" || fail "the unit lacks $key"
done
if grep -q '^PrivateDevices=yes' "$unit"; then fail "PrivateDevices=yes hides the serial ports"; fi
