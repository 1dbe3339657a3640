#!/bin/sh
# Checks packaging/systemd/*.service with `systemd-analyze verify`: every key known, every value
# parsed, the ExecStart binary present. verify also needs that binary to exist, so each unit is
# checked as a copy whose ExecStart points at the build's binary instead of /usr/bin. It works
# without systemd running (in a container, PID 1 is something else). Any message is a failure:
# verify says "Unknown key" and "Failed to parse" with exit status 0. Documentation=man:...
# is not checked (--man=no): the man pages exist only once installed.
# Usage: verify_systemd_units.sh SOURCE_DIR BIN_DIR. Exit 77 (ctest's SKIP_RETURN_CODE) when
# systemd-analyze is missing.
set -u
source_dir=$1
bin_dir=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIPPED: needs systemd-analyze (apt-get install systemd)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for unit in "$source_dir"/packaging/systemd/*.service; do
  name=$(basename "$unit")
  program=${name%.service}
  [ -x "$bin_dir/$program" ] || { echo "FAIL $name: no $bin_dir/$program"; status=1; continue; }
  grep -q "^ExecStart=/usr/bin/$program " "$unit" ||
    { echo "FAIL $name: ExecStart does not run /usr/bin/$program"; status=1; continue; }
  sed "s|^ExecStart=/usr/bin/$program |ExecStart=$bin_dir/$program |" "$unit" > "$work/$name"
  if output=$(systemd-analyze verify --man=no "$work/$name" 2>&1) && [ -z "$output" ]; then
    echo "ok   $name"
  else
    echo "FAIL $name:"
    echo "$output"
    status=1
  fi
done
exit $status
