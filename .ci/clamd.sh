#!/usr/bin/env bash
# Start ClamAV's daemon (Debian's clamav-daemon) for the tests, offline: its signature
# database is a directory of our own holding only the EICAR test signature (no freshclam).
#
#   .ci/clamd.sh start [DIR] [PORT]   configure and start clamd on 127.0.0.1:PORT (3310),
#                                     wait until it answers PING; its files go under DIR
#   .ci/clamd.sh stop [DIR]           stop the clamd started with that DIR
#
# Then: CIVIQUEST_CLAMD_HOST=127.0.0.1 CIVIQUEST_CLAMD_PORT=PORT make test
# Production uses the packaged clamd with freshclam's databases instead (docs/deployment.md).
set -euo pipefail

action=${1:-start}
dir=${2:-${TMPDIR:-/tmp}/civiquest-clamd}
port=${3:-3310}

# The 68-byte EICAR test string, as bytes (its backslash is literal).
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

ping_clamd() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'zPING\0' >&3
  IFS= read -r -d '' -t 2 reply <&3 || true
  exec 3<&- 3>&-
  [ "$reply" = "PONG" ]
}

stop() {
  if [ -f "$dir/clamd.pid" ]; then
    kill "$(cat "$dir/clamd.pid")" 2>/dev/null || true
    rm -f "$dir/clamd.pid"
  fi
}

start() {
  command -v clamd >/dev/null 2>&1 || {
    echo "clamd is missing: apt-get install clamav-daemon" >&2
    return 1
  }
  if ping_clamd 2>/dev/null; then
    echo "clamd already answers on 127.0.0.1:$port"
    return 0
  fi
  mkdir -p "$dir/db"
  # A body signature (.ndb, any file type, anywhere in the file): it also finds EICAR
  # inside a PDF, which is what an upload must be to get past the type sniffing.
  printf 'Eicar-Test-Signature:0:*:%s\n' "$(printf '%s' "$eicar" | od -An -v -tx1 | tr -d ' \n')" \
    >"$dir/db/civiquest-test.ndb"
  cat >"$dir/clamd.conf" <<EOF
# Written by .ci/clamd.sh: a test clamd on loopback, offline signatures.
TCPSocket $port
TCPAddr 127.0.0.1
DatabaseDirectory $dir/db
PidFile $dir/clamd.pid
LogFile $dir/clamd.log
Foreground false
# Above CIVIQUEST_UPLOAD_MAX_BYTES (10 MiB by default), so an accepted size is never an error.
StreamMaxLength 32M
MaxThreads 4
SelfCheck 0
EOF
  local started=$SECONDS
  clamd --config-file="$dir/clamd.conf"
  for _ in $(seq 1 120); do
    if ping_clamd 2>/dev/null; then
      echo "clamd answers on 127.0.0.1:$port after $((SECONDS - started)) s (log: $dir/clamd.log)"
      return 0
    fi
    sleep 0.5
  done
  echo "clamd did not answer on 127.0.0.1:$port; its log:" >&2
  cat "$dir/clamd.log" >&2 || true
  return 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
