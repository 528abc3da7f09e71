#!/usr/bin/env bash
# copybench's one set-up step, for a fresh Debian or Ubuntu machine:
#   1. the system packages the main job needs (compiler, make, perf, iproute2,
#      taskset, the DejaVu fonts the figures are drawn with): installed with
#      apt-get when run as root, otherwise the exact command to run is printed;
#   2. `npm ci`, whose postinstall (package.json) calls this script again
#      with --postinstall: the packages checked, then
#   3. `make` (the C binaries into bin/).
# With --postinstall (as npm ci calls it) a missing package without root is a
# warning with the command to run, not a failure: npm ci still installs.
# --tests adds what only the test suite needs (chromium for the report's
# browser check, iperf3 and sockperf for the peer baseline, openssh-server
# for the two-hosts tests). --no-npm skips step 2 (make still runs): .ci/run
# calls `npm run setup -- --tests --no-npm`, then `npm cit`.
# COPYBENCH_NO_APT=1 never calls apt-get (prints the command instead).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  echo "usage: npm run setup [-- --tests] [--no-npm]   (npm ci calls it with --postinstall)"
}

tests=0 npm=1 lenient=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    --postinstall) npm=0 lenient=1 ;;
    --no-npm) npm=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; usage >&2; exit 2 ;;
  esac
done

say() { echo "copybench setup: $*"; }

# Node first: nothing else works without it.
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  say "Node >= 20.19 is needed (found: $(node --version 2>/dev/null || echo none)); install it first (https://nodejs.org, or your distribution's nodejs package)" >&2
  exit 1
fi

distro=debian
if [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*ubuntu' /etc/os-release; then distro=ubuntu; fi

# perf's package differs: Debian's linux-perf; Ubuntu's matches the kernel.
perf_packages() {
  if [ "$distro" = ubuntu ]; then echo "linux-tools-common linux-tools-generic linux-tools-$(uname -r)"; else echo linux-perf; fi
}

need=()
missing_what=()
want() { # want PROBE-OK PACKAGES... WHAT
  local ok=$1 what=${*: -1}
  shift
  if [ "$ok" != 1 ]; then
    local n=$(($# - 1))
    need+=("${@:1:$n}")
    missing_what+=("$what")
  fi
}
has() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 && { echo 1; return; }; done; echo 0; }
file_has() { [ -e "$1" ] && echo 1 || echo 0; }

want "$(has make)" make "make"
want "$(has cc)" gcc libc6-dev "a C compiler (cc)"
# shellcheck disable=SC2046
want "$(perf --version >/dev/null 2>&1 && echo 1 || echo 0)" $(perf_packages) "perf"
want "$(has ip)" iproute2 "ip (iproute2)"
want "$(has taskset)" util-linux "taskset"
want "$(file_has /usr/include/liburing.h)" liburing-dev "liburing (a4: io_uring zero-copy send)"
want "$(file_has /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)" fonts-dejavu-core "the DejaVu fonts (figures)"
if [ "$tests" = 1 ]; then
  want "$(has chromium chromium-browser)" chromium "chromium (tests: report in a browser)"
  want "$(has iperf3)" iperf3 "iperf3 (tests: peer baseline)"
  want "$(has sockperf)" sockperf "sockperf (tests: peer baseline)"
  want "$(file_has /usr/sbin/sshd)" openssh-server "sshd (tests: two hosts)"
  want "$(has ssh)" openssh-client "ssh (tests: two hosts)"
fi

if [ ${#need[@]} -gt 0 ]; then
  IFS=', '; say "missing: ${missing_what[*]}"; unset IFS
  cmd="apt-get install -y --no-install-recommends ${need[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "${COPYBENCH_NO_APT:-0}" != 1 ]; then
    say "installing with apt-get: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # No daemon is started by a package here (openssh-server's sshd, iperf3's):
    # the tests start their own, inside namespaces they create.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends ${need[*]} >/dev/null
  else
    if command -v apt-get >/dev/null; then
      say "run as root, then this again: sudo apt-get update && sudo $cmd" >&2
    else
      say "no apt-get here: install the equivalents of these Debian packages: ${need[*]}" >&2
    fi
    if [ "$lenient" = 1 ]; then
      say "continuing: npm ci installs; the run's preflight names what is still missing" >&2
      if [ "$(has make)" != 1 ] || [ "$(has cc)" != 1 ]; then say "no compiler or make: bin/ not built" >&2; exit 0; fi
    else
      exit 1
    fi
  fi
else
  say "system packages: all present"
fi

if [ "$npm" = 1 ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
else
  say "make"
  make -s all
fi
say "done (bin/ built; the main job: npx zx orchestrate/run.mts configs/full.yaml, as root)"
