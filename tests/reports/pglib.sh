# pglib.sh - a private PostgreSQL 15 cluster for the report store's tests,
# sourced by them (tests/reports/fleet.sh).  pg_cluster DIR initdb's a
# cluster in DIR (owned by the user postgres when run as root: the server
# refuses to run as root), listening on 127.0.0.1 on a free port and on a
# socket directory of its own; nothing of the machine's own clusters is
# used.  It sets PORT and URI (postgresql://postgres@127.0.0.1:PORT, add
# /DBNAME).  pg_start and pg_kill start it (waiting until it accepts) and
# kill it at once; pg_stop stops it if it runs (call it from the test's
# EXIT trap); pg_createdb NAME; pg_sql DB QUERY prints one value.  The
# caller checks pg_missing first: it prints why the cluster cannot be
# made, or nothing.  pg_test_setup does what a test needs in one go (with
# tests/common/tap.sh's missing): the check, a temporary directory in tmp
# removed at exit with the cluster (unless KEEP is set), the cluster.
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
pg_started=""

# pg_missing - why this machine cannot run the cluster (empty: it can).
pg_missing() {
	if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ] || [ ! -x "$PGBIN/createdb" ]; then
		echo "PostgreSQL 15 not installed in $PGBIN (Debian package postgresql)"
	elif ! command -v psql >/dev/null 2>&1; then
		echo "psql not installed (postgresql-client)"
	elif [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "no user postgres to run the server as"
	fi
}

# as_pg CMD... - CMD as the user postgres when root.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" -o "-k $pg_dir/sock -h 127.0.0.1 -p $PORT" \
		-l "$pg_dir/log" -w start >/dev/null 2>&1 && pg_started=1
}

pg_kill() {
	as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" stop -m immediate >/dev/null 2>&1 && pg_started=""
}

pg_stop() {
	[ -n "$pg_started" ] && as_pg "$PGBIN/pg_ctl" -D "$pg_dir/data" stop -m fast >/dev/null 2>&1
	pg_started=""
}

# pg_cluster DIR - initdb and start; 0, or 1 with the reason on stdout.
pg_cluster() {
	pg_dir=$1
	mkdir -p "$pg_dir/sock"
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$pg_dir"
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	URI="postgresql://postgres@127.0.0.1:$PORT"
	if ! as_pg "$PGBIN/initdb" -D "$pg_dir/data" >"$pg_dir/initdb.log" 2>&1; then
		tail -5 "$pg_dir/initdb.log"
		echo "initdb failed"
		return 1
	fi
	pg_start || { tail -5 "$pg_dir/log"; echo "the private PostgreSQL did not start"; return 1; }
}

pg_createdb() {
	as_pg "$PGBIN/createdb" -h "$pg_dir/sock" -p "$PORT" "$1"
}

pg_sql() {
	as_pg psql -h "$pg_dir/sock" -p "$PORT" -d "$1" -Atqc "$2" 2>/dev/null
}

# pg_test_setup - skip without PostgreSQL, make tmp, start the cluster; bail out when it fails.
pg_test_setup() {
	pg_why=$(pg_missing)
	[ -z "$pg_why" ] || missing "$pg_why"
	tmp=$(mktemp -d)
	trap 'pg_stop; [ -n "${KEEP:-}" ] || rm -rf "$tmp" "${pg_dir:-}"' EXIT
	trap "exit 1" INT TERM HUP
	pg_cluster "$(mktemp -d /tmp/authmilter-pg.XXXXXX)" >"$tmp/pg.why" 2>&1 ||
		{ sed 's/^/# /' "$tmp/pg.why"; echo "Bail out! no private PostgreSQL"; exit 1; }
}
