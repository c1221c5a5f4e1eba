#!/usr/bin/env bash
# Builds the Debian package, unpacks it into a scratch root, and checks what a technician
# gets: files in their FHS places, a control file naming the Debian dependencies, the room
# file kept as a conffile, and an installed binary that runs and accepts the installed config.
# A cross build's package (scripts/build-arm64) is checked the same way, its programs run
# through SENSORYD_LAUNCHER (qemu-user), and each dependency must have a candidate of its
# architecture that satisfies it in the configured Debian archive.
# usage: check_package.sh BUILD_DIR
set -euo pipefail
build_dir=$1
# Word-split on purpose: "qemu-aarch64-static -L /".
read -r -a launch <<<"${SENSORYD_LAUNCHER:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/out/sensoryd_*.deb)
root="$work/root"
dpkg-deb -x "$deb" "$root"

for path in usr/sbin/sensoryd usr/bin/sensoryctl usr/lib/systemd/system/sensoryd.service \
            usr/lib/sysusers.d/sensoryd.conf usr/lib/tmpfiles.d/sensoryd.conf \
            etc/sensoryd/sensoryd.toml etc/sensoryd/profiles/calm-down.toml \
            usr/share/doc/sensoryd/README.md usr/share/doc/sensoryd/operations.md \
            usr/share/doc/sensoryd/configuration.md usr/share/doc/sensoryd/mqtt-api.md \
            usr/share/doc/sensoryd/safety.md usr/share/doc/sensoryd/tablet.md \
            usr/share/sensoryd/tablet/index.html usr/share/sensoryd/tablet/app.js \
            usr/share/sensoryd/tablet/vendor/mqtt.min.js \
            usr/share/doc/sensoryd/examples/mosquitto-room.conf; do
  [ -e "$root/$path" ] || fail "missing /$path in the package"
done
[ -x "$root/usr/sbin/sensoryd" ] || fail "/usr/sbin/sensoryd is not executable"
if dpkg-deb -c "$deb" | grep -q 'usr/local'; then fail "files under /usr/local"; fi

arch=$(dpkg-deb -f "$deb" Architecture)
[ "$arch" = "${DEB_HOST_ARCH:-$(dpkg --print-architecture)}" ] || fail "the package is for $arch"
depends=$(dpkg-deb -f "$deb" Depends)
# sensoryd speaks MQTT through libmosquitto; sensoryctl, also in the package, through Paho.
for dep in libmodbus5 libmosquitto1 libpaho-mqttpp3-1 libpaho-mqtt1.3 libtomlplusplus3 systemd; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/sensoryd/sensoryd.toml \
  || fail "/etc/sensoryd/sensoryd.toml is not a conffile"

if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  # Each "name (op version)" of Depends, for $arch, against what apt would install.
  IFS=',' read -r -a wanted <<<"$depends"
  for dep in "${wanted[@]}"; do
    name=$(awk '{print $1}' <<<"$dep")
    candidate=$(apt-cache policy "$name:$arch" | sed -n 's/^ *Candidate: //p')
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      # A virtual package (libspdlog1.10-fmt9): some real package of $arch must provide it.
      apt-cache showpkg "$name:$arch" | sed -n '/^Reverse Provides:/,$p' | grep -q ":$arch " \
        || fail "no $arch candidate for $name"
      continue
    fi
    if [[ $dep =~ \(([\<\>=]+)\ *([^\)]+)\) ]]; then
      op=${BASH_REMATCH[1]}
      version=${BASH_REMATCH[2]}
      case $op in '>=') op=ge ;; '<=') op=le ;; '>>') op=gt ;; '<<') op=lt ;; '=') op=eq ;; esac
      dpkg --compare-versions "$candidate" "$op" "$version" \
        || fail "$name:$arch $candidate does not satisfy ($dep)"
    fi
  done
  echo "every dependency resolves for $arch in the configured archive"
fi
"${launch[@]}" "$root/usr/sbin/sensoryd" --version | grep -q '^sensoryd ' || fail "installed binary does not run"
"${launch[@]}" "$root/usr/bin/sensoryctl" --help | grep -q "^usage: sensoryctl" || fail "installed sensoryctl does not run"
"${launch[@]}" "$root/usr/sbin/sensoryd" --check-config --config "$root/etc/sensoryd/sensoryd.toml" >/dev/null \
  || fail "the installed room file does not pass --check-config"
# The installed provisioning script finds its installed templates and writes a whole room.
examples="$root/usr/share/doc/sensoryd/examples"
"$examples/provision-room" --room room-9 --out "$work/room-9" >/dev/null \
  || fail "the installed provision-room does not run"
for file in acl mosquitto.conf nginx-tablet.conf ca.pem server.pem passwords secrets/sensoryd; do
  [ -s "$work/room-9/$file" ] || fail "the installed provision-room did not write $file"
done
grep -q '^topic write sensoryd/room-9/session$' "$work/room-9/acl" || fail "the ACL is not for room-9"
[ -s "$work/room-9/secrets/sensoryd-estop" ] || fail "no account for sensoryd's E-stop connection"
[ -s "$work/room-9-ca/ca.key" ] || fail "the CA's key is not beside the broker's folder"
[ ! -e "$work/room-9/ca.key" ] || fail "the CA's key is in the broker's folder"
# ...and a clinic, with a room bridged to it (docs/clinic.md).
"$examples/provision-clinic" --out "$work/clinic" --room room-8 >/dev/null \
  || fail "the installed provision-clinic does not run"
"$examples/provision-room" --room room-8 --out "$work/room-8" --clinic-uplink 127.0.0.1:8884 \
  --clinic-ca "$work/clinic/ca.pem" --clinic-password-file "$work/clinic/secrets/room-8-uplink" >/dev/null \
  || fail "the installed provision-room does not write a clinic uplink"
grep -q '^topic user/clinic/cmd/stop in 1 sensoryd/room-8/ sensoryd/room-8/$' "$work/room-8/bridge-clinic.conf" \
  || fail "the uplink does not bring the clinic's stop down"
# The link's status tool reads the installed bridge section (no try in an empty log: status 2).
: > "$work/mosquitto.log"
set +e
"$examples/clinic-link-status" --bridge-conf "$work/room-8/bridge-clinic.conf" --log "$work/mosquitto.log" >/dev/null
status=$?
set -e
[ "$status" -eq 2 ] || fail "the installed clinic-link-status said $status of a link never tried (2 expected)"
if "$examples/provision-room" --room room-7 --out "$work/room-7" --tablet clinic --clinic-uplink 127.0.0.1:8884 \
  --clinic-ca "$work/clinic/ca.pem" --clinic-password-file "$work/clinic/secrets/room-8-uplink" >/dev/null 2>&1; then
  fail "a room account named as the clinic's was accepted"
fi
grep -q '^ExecStart=/usr/sbin/sensoryd ' "$root/usr/lib/systemd/system/sensoryd.service" \
  || fail "the unit does not start /usr/sbin/sensoryd"
echo "package layout OK: $(basename "$deb"), Depends: $depends"
