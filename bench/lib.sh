# Shared by bench/cold and bench/simulate: a release server on its own
# embedded cluster, sign-ins, and CPU time read from /proc. Sourced after
# scripts/common.sh, with PORT set.

# start_server NAME: builds, starts the server on $PORT with a fresh data
# directory; sets DATA, BIN, SERVER, BASE, POSTMASTER; cleans up on exit.
start_server() {
    say "building (release)"
    # FEATURES=heap-stats: the heap's live bytes in /metrics (bench/simulate reports them).
    cargo build --release --quiet ${FEATURES:+--features "$FEATURES"}
    DATA=$(mktemp -d "/tmp/jc-$1.XXXXXX")
    chmod 755 "$DATA"
    export JOBCOPILOT_DATA_DIR="$DATA" JOBCOPILOT_LISTEN="127.0.0.1:$PORT" JOBCOPILOT_ENV=production \
           JOBCOPILOT_LOG=warn JOBCOPILOT_SCHEDULER_TICK_SECONDS=0 JOBCOPILOT_REGISTRATION_LIMIT=0
    BIN=./target/release/jobcopilot
    $BIN serve 2>"$DATA/server.log" &
    SERVER=$!
    trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
    for _ in $(seq 1 300); do
        $BIN healthcheck 2>/dev/null && break
        sleep 0.2
    done
    BASE="http://127.0.0.1:$PORT"
    # The cluster's processes: the postmaster and its children.
    POSTMASTER=$(head -1 "$DATA/postgres/postmaster.pid")
}

# sign_in < "token email password ids" lines > "cookie token ids" lines: a
# browser session each, from its own loopback address (as different people:
# the sign-in throttle counts per address).
sign_in() {
    local n=0 jar="$DATA/jar" token email password ids csrf session from
    while read -r token email password ids; do
        rm -f "$jar"
        n=$((n + 1))
        from=(--interface "127.0.$((n / 250)).$((n % 250 + 2))")
        csrf=$(curl -fsS "${from[@]}" -c "$jar" "$BASE/auth/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
        curl -fsS "${from[@]}" -b "$jar" -c "$jar" -o /dev/null \
            --data-urlencode "_csrf=$csrf" --data-urlencode "email=$email" --data-urlencode "password=$password" \
            "$BASE/auth/local/login"
        session=$(awk '$6 == "jc_session" { print $6 "=" $7 }' "$jar")
        [ -n "$session" ] || { echo "no session for $email" >&2; return 1; }
        echo "$session $token $ids"
    done
}

# CPU ticks of the server and of every PostgreSQL process.
cpu_ticks() {
    local pids total=0 t
    pids="$SERVER $POSTMASTER $(ps -o pid= --ppid "$POSTMASTER" | tr '\n' ' ')"
    for p in $pids; do
        t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)
        total=$((total + t))
    done
    echo "$total"
}
server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
HZ=$(getconf CLK_TCK)
rss_mib() { awk '/VmRSS/ { printf "%.0f\n", $2 / 1024 }' "/proc/$SERVER/status"; }

# metric NAME: the server's value of an unlabelled metric in /metrics, as a
# whole number (empty when the server does not report it).
metric() { curl -fsS "$BASE/metrics" | awk -v m="$1" '$1 == m { printf "%.0f", $2 }'; }

# psql_embedded ARGS: psql on the embedded cluster, as its owner.
psql_embedded() {
    as_pg_owner psql -h "$(pg_socket)" -d jobcopilot -X -At "$@"
}

# pg_socket: the embedded cluster's socket directory.
pg_socket() { echo "/tmp/jcpg-$(printf '%s' "$DATA/postgres" | sha256sum | cut -c1-12)"; }

# as_pg_owner COMMAND...: runs a client as the cluster's owner (PostgreSQL
# runs unprivileged, and its socket and files are that user's).
as_pg_owner() { runuser -u "$(stat -c %U "$DATA/postgres")" -- "$@"; }

# settle_database: what a live database of this size is, rather than one
# fresh from a bulk load: its rows' hint bits and visibility map set,
# statistics fresh, and no dirty buffers (after seeding, shared_buffers are
# full of them, and with checkpoints by time the next reads would write
# them out themselves; autovacuum would work through every table during
# the measured rows). Prints the seconds it took.
settle_database() {
    local started
    started=$(date +%s)
    psql_embedded -q -c "VACUUM (ANALYZE)" -c "CHECKPOINT"
    echo $(($(date +%s) - started))
}
