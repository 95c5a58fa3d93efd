#!/usr/bin/env bash
# Smoke test of the frozen bundle: build it with installer/accessdesk.spec, then run it as
# a fresh front-desk PC would, offscreen, with a throwaway profile (HOME, XDG folders and
# TMPDIR in a temporary folder). Every run of the bundle must exit 0 and write nothing to
# stderr except the lines listed in ALLOWED_STDERR. Also checks the size targets and
# measures how fast the first window appears.
#
#   bash installer/smoke_test.sh            # build, then test
#   SMOKE_SKIP_BUILD=1 bash installer/smoke_test.sh   # test the existing dist/accessdesk
#
# Environment: PYTHON (default .venv/bin/python, with the "build" extra installed),
# SMOKE_START_LIMIT_S (default 1.0: median seconds from launch to the log-in window).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
LIMIT=${SMOKE_START_LIMIT_S:-1.0}
MAX_UNPACKED_MB=200
MAX_COMPRESSED_MB=80

# Qt's offscreen platform (used only here and in tests) warns about a window feature it
# lacks; real platforms (xcb, windows, cocoa) do not print it.
ALLOWED_STDERR='^This plugin does not support propagateSizeHints\(\)$'

fail() {
    echo "smoke: FAIL: $*" >&2
    exit 1
}

if [[ -z ${SMOKE_SKIP_BUILD:-} ]]; then
    echo "smoke: building the bundle"
    start=$(date +%s)
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$ROOT/dist" --workpath "$ROOT/build" installer/accessdesk.spec
    echo "smoke: built in $(($(date +%s) - start)) s"
fi
BUNDLE=$ROOT/dist/accessdesk
APP=$BUNDLE/accessdesk
[[ -x $APP ]] || fail "no bundle at $APP"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/data" "$T/config" "$T/cache" "$T/run" "$T/tmp"
chmod 700 "$T/run"
export HOME=$T/home XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache
export XDG_RUNTIME_DIR=$T/run TMPDIR=$T/tmp QT_QPA_PLATFORM=offscreen
unset ACCESSDESK_DB ACCESSDESK_USER ACCESSDESK_PASSWORD ACCESSDESK_SMOKE_QUIT_MS

# run NAME CMD...: run the bundle, keep stdout in $T/NAME.out, fail on status or stderr.
run() {
    local name=$1
    shift
    local status=0
    "$@" >"$T/$name.out" 2>"$T/$name.err" || status=$?
    local unexpected
    unexpected=$(grep -Ev "$ALLOWED_STDERR" "$T/$name.err" || true)
    if [[ $status -ne 0 || -n $unexpected ]]; then
        echo "--- stdout of $name:" >&2
        cat "$T/$name.out" >&2
        echo "--- stderr of $name:" >&2
        cat "$T/$name.err" >&2
        fail "$name exited $status${unexpected:+ with unexpected stderr}"
    fi
}

json() { # json FILE EXPRESSION: evaluate a Python expression over the parsed file as `d`
    "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}

# 1. The command line starts and knows its version.
expected=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
run version "$APP" --version
[[ $(cat "$T/version.out") == "AccessDesk $expected" ]] || fail "version: $(cat "$T/version.out")"
run help "$APP" --help

# 2. Migrations, fonts, icons and keyring backends are in the bundle and load; a sample
#    letter with a CJK name renders with both bundled fonts.
run selftest "$APP" selftest --out "$T/selftest.pdf" --json
# They must come from inside the bundle, not from this checkout.
[[ $(json "$T/selftest.out" 'd["migrations"].startswith(sys.argv[3])' "$BUNDLE/") == True ]] ||
    fail "selftest found migrations outside the bundle: $(json "$T/selftest.out" 'd["migrations"]')"
echo "smoke: selftest: fonts $(json "$T/selftest.out" '", ".join(d["fonts"])')"

# 3. The demo store through the frozen command line, then read it back.
DB=$T/demo.sqlite
run demo "$APP" demo --no-gui --db "$DB"
export ACCESSDESK_PASSWORD=demo-password-only
run list "$APP" request list --db "$DB" --user demo --json --view all
count=$(json "$T/list.out" 'len(d)')
[[ $count -gt 0 ]] || fail "request list found no requests in the demo store"
run audit "$APP" audit verify --db "$DB" --user demo --json
[[ $(json "$T/audit.out" 'd["ok"]') == True ]] || fail "audit trail of the demo store is not intact"
echo "smoke: demo store: $count requests, audit trail intact"

# 4. Issue one letter through the frozen command line, if this build has the command
#    (`accessdesk letter REQUEST_ID --kind KIND --out FILE.pdf`, issue 5). The first open
#    request that can take an acknowledgement gets one; a refusal (status 2) tries the next.
if grep -Eq '^ +letter ' "$T/help.out"; then
    issued=""
    for id in $(json "$T/list.out" '" ".join(str(r["id"]) for r in d)'); do
        status=0
        "$APP" letter "$id" --kind acknowledgement --out "$T/letter-$id.pdf" \
            --db "$DB" --user demo >"$T/letter.out" 2>"$T/letter.err" || status=$?
        if [[ $status -eq 0 ]]; then
            [[ -s $T/letter.err ]] && fail "letter $id wrote to stderr: $(cat "$T/letter.err")"
            [[ $(head -c 5 "$T/letter-$id.pdf") == "%PDF-" ]] || fail "letter $id is not a PDF"
            issued=$id
            break
        fi
        [[ $status -eq 2 ]] || fail "letter $id exited $status: $(cat "$T/letter.err")"
    done
    [[ -n $issued ]] || fail "no demo request could be sent an acknowledgement letter"
    echo "smoke: issued an acknowledgement letter for request $issued"
else
    echo "smoke: this build has no 'letter' command; the selftest letter stands in for it"
fi
unset ACCESSDESK_PASSWORD

# 5. The GUI. First start on the fresh profile: the set-up dialog, and the store in the
#    user data folder. Then, with a set-up store, the log-in window (what the front desk
#    sees every morning), timed. Then the demo's main window.
export ACCESSDESK_SMOKE_QUIT_MS=100
shown_after() { # shown_after NAME START: seconds from START to the window the app reported
    local line
    line=$(grep '^accessdesk-smoke: ' "$T/$1.out") || fail "$1: the app reported no window"
    "$PYTHON" -c 'import sys; print(f"{float(sys.argv[1]) - float(sys.argv[2]):.3f}")' \
        "${line##* }" "$2"
}
run first-start "$APP"
STORE=$XDG_DATA_HOME/AccessDesk/accessdesk.sqlite
if grep -q '^accessdesk-smoke: SetupDialog shown' "$T/first-start.out"; then
    [[ -f $STORE ]] || fail "first start made no store at $STORE"
    rm -f "$STORE" "$STORE".*
elif grep -q '^accessdesk-smoke: NoKeyringDialog shown' "$T/first-start.out"; then
    # A machine with no keyring (CI): the app offers the recorded passphrase choice and
    # creates nothing until one is chosen (never a store in plain text).
    [[ ! -f $STORE ]] || fail "first start without a keyring made a store anyway"
    echo "smoke: no keyring here; first start offered the practice passphrase"
else
    fail "first start: neither the set-up nor the no-keyring window"
fi

# The store for the log-in timing uses the explicit passphrase mode: it works with or
# without a keyring on the machine.
export ACCESSDESK_PASSWORD=smoke-test-passphrase
export ACCESSDESK_STORE_PASSPHRASE="smoke test practice passphrase"
run init "$APP" init --db "$STORE" --user manager --admin-name "Zoë Smoke-Test" \
    --practice-name "Smoke Test Clinic" --address "1 Test Rd" --phone "555-010-0000" \
    --state OR --key-mode passphrase
unset ACCESSDESK_PASSWORD
run login-passphrase "$APP"
grep -q '^accessdesk-smoke: LoginDialog shown' "$T/login-passphrase.out" \
    || fail "no log-in window on the passphrase store"
unset ACCESSDESK_STORE_PASSPHRASE
# Timed on a store opened with a raw key, as a practice's keyring store is: the passphrase
# store above adds its deliberate key stretching (about 0.2 s), which a keyring store skips.
# The demo store is the one raw-key store a machine without a keyring can open.
run timing-store "$APP" demo --no-gui --db "$T/timing.sqlite"
times=()
for i in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    run "login-$i" "$APP" --db "$T/timing.sqlite"
    grep -q '^accessdesk-smoke: LoginDialog shown' "$T/login-$i.out" || fail "no log-in window"
    times+=("$(shown_after "login-$i" "$t0")")
done
t0=$(date +%s.%N)
run demo-gui "$APP" demo
demo_s=$(shown_after demo-gui "$t0")
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "smoke: log-in window after ${times[*]} s (median $median s; limit $LIMIT s)"
echo "smoke: demo main window (builds the demo store first) after $demo_s s"
# The 1 s target is a benchmark figure (recorded in docs/performance.md), not a gate: a
# busy CI host must not fail a correct build. Only a gross regression (over 3x) fails here.
if ! "$PYTHON" -c 'import sys; sys.exit(float(sys.argv[1]) > float(sys.argv[2]))' "$median" "$LIMIT"; then
    echo "smoke: NOTE: the log-in window took $median s, over the $LIMIT s target" >&2
fi
"$PYTHON" -c 'import sys; sys.exit(float(sys.argv[1]) > 3 * float(sys.argv[2]))' "$median" "$LIMIT" ||
    fail "the log-in window took $median s (more than 3x the $LIMIT s target)"

# Nothing left behind in the temporary folder (the demo deletes its store on close).
leftovers=$(find "$T/tmp" -mindepth 1 | head -5)
[[ -z $leftovers ]] || fail "files left in TMPDIR: $leftovers"

# 6. Size.
unpacked_mb=$(du -sm "$BUNDLE" | cut -f1)
compressed_mb=$(tar -C "$ROOT/dist" -cf - accessdesk | gzip -6 | wc -c | awk '{printf "%d", $1/1048576 + 0.5}')
echo "smoke: bundle $unpacked_mb MB unpacked, $compressed_mb MB as .tar.gz (limits $MAX_UNPACKED_MB / $MAX_COMPRESSED_MB)"
[[ $unpacked_mb -le $MAX_UNPACKED_MB ]] || fail "bundle is $unpacked_mb MB unpacked"
[[ $compressed_mb -le $MAX_COMPRESSED_MB ]] || fail "bundle is $compressed_mb MB compressed"

echo "smoke: OK"
