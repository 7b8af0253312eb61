# private_postfix.sh - a private Postfix instance for the tests, sourced by
# tests/e2e/postfix.sh (Postfix in front of authmilter) and
# tests/reports/send_postfix.sh (report messages delivered by Postfix's
# sendmail).  Needs root (as root, "postfix -c DIR" works without
# alternate_config_directories; see tests/e2e/README.md).  Touches nothing
# of the system's Postfix, /etc/postfix included: its own configuration,
# queue, data and mail directories under one directory, stopped with
# "postfix -c DIR stop" and by PID only.
#
#   pf_init DIR MYHOSTNAME DOMAINS
#       lay out DIR (every directory on the way must let the users postfix
#       and nobody pass: use a mktemp -d under /tmp, chmod 755) and write
#       DIR/conf/main.cf and master.cf: local submission (sendmail, pickup),
#       the virtual domains DOMAINS (blank-separated) delivered into the one
#       Maildir DIR/mail/inbox as nobody, nothing sent off the machine, no
#       SMTP listener, no chroot, the log on the standard output of
#       "postfix start-fg".  Callers append parameters to main.cf and
#       services to master.cf.  Sets pf_conf, pf_queue, pf_maildir.
#   pf_start LOG
#       "postfix -c DIR start-fg" in the background, its output to LOG;
#       sets pf_fg_pid.  Then pf_wait_running, or wait for a listener.
#   pf_wait_running SECONDS
#       wait until "postfix status" says the master runs; 0 when it does
#   pf_stop
#       "postfix stop", then wait (5 s) for the master and every process
#       working in the private queue directory; SIGKILL to those PIDs still
#       there.  0 when it stopped by itself.
# shellcheck shell=sh

pf_conf=""
pf_queue=""
pf_maildir=""
pf_fg_pid=""
pf_started=""

pf_init() {
	pf_dir=$1
	pf_conf="$1/conf"
	pf_queue="$1/queue"
	pf_maildir="$1/mail/inbox"
	mkdir -p "$pf_conf" "$pf_queue" "$1/data" "$1/mail" || return 1
	chown postfix "$1/data"		# Postfix wants its data_directory owned by postfix
	chown nobody "$1/mail"		# the virtual delivery agent writes as nobody
	cat >"$pf_conf/main.cf" <<CONF
# Private Postfix of an authmilter test.
compatibility_level = 3.6
queue_directory = $pf_queue
data_directory = $1/data
maillog_file = /dev/stdout
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = $2
mydomain = ${2#*.}
mydestination =
relay_domains =
alias_maps =
alias_database =
biff = no
notify_classes =
default_transport = error:the test delivers nothing outside
relay_transport = error:the test delivers nothing outside
virtual_mailbox_domains = $3
virtual_mailbox_base = $1/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
CONF
	# No chroot (the n in the 5th column): the daemons run in the private
	# queue directory as it is.
	cat >"$pf_conf/master.cf" <<CONF
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
virtual   unix  - n n -  - virtual
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
}

pf_start() {
	postfix -c "$pf_conf" start-fg >"$1" 2>&1 &
	pf_fg_pid=$!
	pf_started=1
}

pf_wait_running() {
	pf_i=0
	while [ "$pf_i" -lt $(($1 * 10)) ]; do
		postfix -c "$pf_conf" status >/dev/null 2>&1 && return 0
		kill -0 "$pf_fg_pid" 2>/dev/null || return 1
		sleep 0.1
		pf_i=$((pf_i + 1))
	done
	return 1
}

# pf_queue_procs - PIDs of the processes working in the private queue
# directory (every Postfix daemon of the instance chdirs there).
pf_queue_procs() {
	for pf_d in /proc/[0-9]*; do
		case "$(readlink "$pf_d/cwd" 2>/dev/null)" in
		"$pf_queue" | "$pf_queue"/*) echo "${pf_d#/proc/}" ;;
		esac
	done
}

# pf_master_pid - the private master's PID from its pid file, or nothing.
pf_master_pid() {
	[ -s "$pf_queue/pid/master.pid" ] && tr -d ' \n' <"$pf_queue/pid/master.pid"
}

pf_stop() {
	[ -n "$pf_started" ] || return 0
	pf_mp=$(pf_master_pid)
	postfix -c "$pf_conf" stop >/dev/null 2>&1
	pf_i=0
	while [ "$pf_i" -lt 50 ]; do
		{ [ -z "$pf_mp" ] || ! kill -0 "$pf_mp" 2>/dev/null; } && [ -z "$(pf_queue_procs)" ] && break
		sleep 0.1
		pf_i=$((pf_i + 1))
	done
	pf_left=$(pf_queue_procs)
	[ -n "$pf_mp" ] && kill -0 "$pf_mp" 2>/dev/null && pf_left="$pf_left $pf_mp"
	pf_started=""
	pf_rc=0
	if [ -n "$pf_left" ]; then
		echo "# Postfix processes left after stop, killed: $pf_left"
		# shellcheck disable=SC2086
		kill -9 $pf_left 2>/dev/null
		pf_rc=1
	fi
	[ -n "$pf_fg_pid" ] && wait "$pf_fg_pid" 2>/dev/null
	return $pf_rc
}
