# Shared by scripts/run and scripts/test: install what is missing, saying so.

say() { printf '==> %s\n' "$*" >&2; }

# Where a cargo installed by rustup lives, for shells that have not sourced it.
export PATH="$HOME/.cargo/bin:$PATH"

need_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        say "cargo not found: install the Rust toolchain (https://rustup.rs) and run this again"
        exit 1
    fi
}

postgres_present() {
    local bindir
    bindir="$(pg_config --bindir 2>/dev/null || true)"
    [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && [ -x "$bindir/postgres" ] && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

apt_updated=""
apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            say "missing: $*; install them (Debian/Ubuntu: apt-get install -y $*) and run this again"
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing: $*; install them with your package manager and run this again"
        exit 1
    fi
    say "installing $* (apt-get)"
    if [ -z "$apt_updated" ]; then
        $sudo apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need_postgres() {
    if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
    if ! postgres_present; then
        apt_install postgresql
    fi
}

# The real peers the tests run: an OpenID provider (npm), a browser, Redis,
# an IMAP server, nginx.
need_test_peers() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    # The web UI's end-to-end tests drive a real headless Chromium.
    local peers=()
    command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || peers+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || peers+=(chromium-driver)
    # Scale-out tests run a real Redis.
    command -v redis-server >/dev/null 2>&1 || peers+=(redis-server)
    # The mailbox tests run a real IMAP server (Dovecot); it is not started
    # as a service, each test starts its own on loopback.
    [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || peers+=(dovecot-imapd)
    # ...with a certificate the tests make with the openssl command.
    command -v openssl >/dev/null 2>&1 || peers+=(openssl)
    # The proxy test runs Debian's nginx with deploy/nginx.conf in front of
    # two replicas; like Dovecot it starts its own on loopback.
    [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || peers+=(nginx)
    if [ ${#peers[@]} -gt 0 ]; then
        apt_install "${peers[@]}"
    fi
    need_schemathesis
    if [ ! -d tests/peers/oidc/node_modules/oidc-provider ]; then
        say "installing the test OpenID provider (npm ci in tests/peers/oidc)"
        npm ci --prefix tests/peers/oidc --no-audit --no-fund --loglevel=error >/dev/null
    fi
}

# The OpenAPI fuzz test (tests/api/schemathesis.rs) runs schemathesis from PyPI,
# pinned in tests/peers/schemathesis/requirements.txt, in a venv beside it.
need_schemathesis() {
    local dir=tests/peers/schemathesis
    local stamp="$dir/.venv/installed-requirements.txt"
    if [ -x "$dir/.venv/bin/schemathesis" ] && cmp -s "$dir/requirements.txt" "$stamp"; then
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3 python3-venv
    fi
    say "installing schemathesis (pip, pinned) into $dir/.venv"
    rm -rf "$dir/.venv"
    python3 -m venv "$dir/.venv"
    "$dir/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
    cp "$dir/requirements.txt" "$stamp"
}
