#!/bin/sh
# same_verdict.sh CASEFILE SRCDIR WORKDIR PORT CONF BUILDDIR PY - one wire
# case through the daemon (tests/wire/mtaclient.py) and through
# authmilter-check --json with the same configuration and DNS: prints
# "same: ACTION" when the action, the SMTP reply and the
# Authentication-Results value agree; exit 0 only then.
case_file=$1 src=$2 work=$3 port=$4 conf=$5 build=$6 PY=$7
val() { sed -n "s/^$1 //p" "$case_file" | head -1; }
ip=$(val ip); helo=$(val helo); from=$(val mailfrom); msg=$(val message)
[ -n "$ip" ] || ip=192.0.2.1
[ -n "$helo" ] || helo=client.example
[ -n "$from" ] || from="<>"
[ -f "$work/$msg" ] && file="$work/$msg" || file="$src/messages/$msg"
"$PY" "$src/mtaclient.py" 127.0.0.1 "$port" "$file" --ip "$ip" --helo "$helo" \
	--mail-from "$from" --rcpt "<bob@rcpt.example>" >"$work/same.daemon" 2>&1
bare=$(printf '%s' "$from" | sed 's/^<//; s/>$//')
"$build/milter/authmilter-check" --config "$conf" --ip "$ip" --helo "$helo" \
	--mail-from "$bare" --rcpt bob@rcpt.example --json "$file" >"$work/same.check" 2>&1
exec "$PY" - "$work/same.daemon" "$work/same.check" <<'PYEOF'
import json, re, sys
daemon = open(sys.argv[1]).read()
check = json.load(open(sys.argv[2]))
def unfold(v):
    return re.sub(r"\s*\n\s*", " ", v).strip()
m = re.search(r"^insheader 0 Authentication-Results (.*?)(?=^\S)", daemon, re.S | re.M)
d_ar = unfold(m.group(1)) if m else ""
r = re.search(r"^replycode (.*)$", daemon, re.M)
d_reply = r.group(1).strip() if r else ""
d_action = "accept"
if re.search(r"^quarantine ", daemon, re.M):
    d_action = "quarantine"
if d_reply.startswith("5"):
    d_action = "reject"
elif d_reply.startswith("4"):
    d_action = "tempfail"
c_action = check["action"]
c_reply = " ".join(x for x in (check["smtp_reply"], check["smtp_xcode"], check["smtp_text"]) if x)
c_ar = unfold(check["authentication_results"]) if c_action not in ("reject", "tempfail") else ""
if (d_action, d_reply, d_ar) == (c_action, c_reply, c_ar):
    print("same: %s" % d_action)
    sys.exit(0)
print("daemon: %s / %s / %s" % (d_action, d_reply, d_ar))
print("check:  %s / %s / %s" % (c_action, c_reply, c_ar))
sys.exit(1)
PYEOF
