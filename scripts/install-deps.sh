#!/bin/sh
# Installs the Debian packages tlsprobe needs to build and test.
# Idempotent: does nothing when everything is already present.
set -eu

PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev \
libgnutls28-dev libssl-dev libev-dev libjson-c-dev libcmocka-dev \
gnutls-bin openssl curl python3 tshark chromium libnss3-tools \
exim4-daemon-light dovecot-imapd dovecot-pop3d swaks libnet-ssleay-perl msmtp fetchmail \
zlib1g-dev python3-markdown \
debhelper dpkg-dev fakeroot lintian man-db systemd zsh"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# The mail servers (exim4, dovecot) are for the tests, which start their own
# copies on loopback ports with configs they write: keep the packages from
# starting (or enabling) a system service while they install.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    made_policy=1
fi
$SUDO apt-get update -q
status=0
$SUDO apt-get install -y -q --no-install-recommends $missing || status=$?
if [ -n "$made_policy" ]; then $SUDO rm -f "$policy"; fi
exit $status
