-- driver.lua - miltertest driver of the wire tests: one SMTP session per
-- case file, against the running authmilter at $SOCKET.  A case file has
-- "key value" lines (this file is their reference): the session (ip, helo,
-- auth, mailfrom, rcpt, message) and what must come back (want,
-- want_reply, want_header, want_no_method, want_no_header, want_delete,
-- want_quarantine).
-- "want_delete N": the message has exactly N Authentication-Results fields
-- claiming our authserv-id (AUTHSERV_ID below, run.sh's AuthservID); each
-- must be deleted at its own index (1-based among the message's
-- Authentication-Results fields, as smfi_chgheader counts), and no other
-- field may be deleted or changed: not the Authentication-Results fields of
-- other authserv-ids, no index past the last one, no field of another name.
-- Prints TAP lines without the plan (run.sh numbers and counts them).

local socket = os.getenv("SOCKET")
local workdir = os.getenv("WORKDIR")
local srcdir = os.getenv("CASEDIR")
local AUTHSERV_ID = "mx.wire.example"
local AR = "Authentication-Results"

local function readfile(path)
	local f = io.open(path, "rb")
	if f == nil then error("cannot read " .. path) end
	local s = f:read("*a")
	f:close()
	return s
end

local function find_message(name)
	local f = io.open(workdir .. "/" .. name, "rb")
	if f ~= nil then f:close() return workdir .. "/" .. name end
	return srcdir .. "/" .. name
end

-- parse_case - key/value lines into a table of lists.
local function parse_case(path)
	local c = { name = path:match("([^/]+)%.case$") }
	for line in readfile(path):gmatch("[^\n]+") do
		if not line:match("^%s*#") then
			local k, v = line:match("^(%S+)%s*(.*)$")
			if k ~= nil then
				c[k] = c[k] or {}
				table.insert(c[k], v)
			end
		end
	end
	return c
end

-- split_message - header fields {name, value} (folds kept, LF) and the body (CRLF).
local function split_message(text)
	text = text:gsub("\r\n", "\n")
	local hdr, body = text:match("^(.-\n)\n(.*)$")
	if hdr == nil then hdr, body = text, "" end
	local fields = {}
	for line in hdr:gmatch("([^\n]*)\n") do
		if line:match("^[ \t]") and #fields > 0 then
			fields[#fields].value = fields[#fields].value .. "\n" .. line
		else
			local n, v = line:match("^([^:]+):(.*)$")
			if n ~= nil then table.insert(fields, { name = n, value = v }) end
		end
	end
	return fields, body:gsub("\n", "\r\n")
end

local n = 0
local function check(ok, what)
	n = n + 1
	print((ok and "ok " or "not ok ") .. what)
end

local function reply_word(conn)
	local r = mt.getreply(conn)
	if r == SMFIR_ACCEPT or r == SMFIR_CONTINUE then return "accept" end
	if r == SMFIR_REJECT then return "reject" end
	if r == SMFIR_TEMPFAIL then return "tempfail" end
	if r == SMFIR_REPLYCODE then return "replycode" end
	if r == SMFIR_DISCARD then return "discard" end
	return "reply " .. tostring(r)
end

-- session - run one case up to end of message; returns the outcome word.
local function session(c, conn)
	local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
	local ip = c.ip and c.ip[1] or "192.0.2.1"
	if mt.conninfo(conn, "client.example", ip) ~= nil then error("conninfo failed") end
	if mt.helo(conn, c.helo and c.helo[1] or "client.example") ~= nil then error("helo failed") end
	local macros = { "i", "QID" .. c.name }
	if c.auth ~= nil then table.insert(macros, "{auth_authen}") table.insert(macros, c.auth[1]) end
	local unpack_ = table.unpack or unpack
	mt.macro(conn, SMFIC_MAIL, unpack_(macros))
	if mt.mailfrom(conn, c.mailfrom and c.mailfrom[1] or "<>") ~= nil then error("mailfrom failed") end
	if mt.getreply(conn) == SMFIR_ACCEPT then return "accept-at-mail" end
	for _, r in ipairs(c.rcpt or { "<postmaster@rcpt.example>" }) do
		if mt.rcptto(conn, r) ~= nil then error("rcptto failed") end
	end
	local fields, body = split_message(readfile(find_message(c.message[1])))
	for _, f in ipairs(fields) do
		local v = f.value
		if not leadspc then v = v:gsub("^ ", "") end
		if mt.header(conn, f.name, v) ~= nil then error("header failed") end
	end
	if mt.eoh(conn) ~= nil then error("eoh failed") end
	if #body > 0 and mt.bodystring(conn, body) ~= nil then error("body failed") end
	if mt.eom(conn) ~= nil then error("eom failed") end
	return reply_word(conn), fields
end

-- reply_matches - did the filter set this exact reply ("550 5.7.1 text")?
-- (miltertest compares SMFIR_REPLYCODE replies only with all three parts.)
local function reply_matches(conn, r)
	local code, x, text = r:match("^(%d+)%s+(%S+)%s+(.*)$")
	return code ~= nil and mt.eom_check(conn, MT_SMTPREPLY, code, x, text)
end

-- skip_cfws - s without its leading white space and (nested) comments.
local function skip_cfws(s)
	local i = 1
	while i <= #s do
		local ch = s:sub(i, i)
		if ch:match("%s") then
			i = i + 1
		elseif ch == "(" then
			local depth = 0
			repeat
				ch = s:sub(i, i)
				if ch == "\\" then i = i + 1
				elseif ch == "(" then depth = depth + 1
				elseif ch == ")" then depth = depth - 1 end
				i = i + 1
			until depth == 0 or i > #s
		else
			break
		end
	end
	return s:sub(i)
end

-- claims_ours - does an Authentication-Results value claim AUTHSERV_ID
-- (any case, quoted or not, with or without a trailing dot)?
local function claims_ours(v)
	local rest = skip_cfws(v)
	local id = rest:match('^"%s*([^"]-)%s*"') or rest:match('^[^%s;()"]+')
	return id ~= nil and id:lower():gsub("%.$", "") == AUTHSERV_ID
end

-- check_deletes - exactly the want forged Authentication-Results fields
-- deleted, each at its index, and nothing else deleted or changed.
local function check_deletes(c, conn, fields, want)
	local forged, kept, names, k = {}, {}, {}, 0
	for _, f in ipairs(fields) do
		if f.name:lower() == AR:lower() then
			k = k + 1
			table.insert(claims_ours(f.value) and forged or kept, k)
		elseif not names[f.name] then
			names[f.name] = true
			table.insert(names, f.name)
		end
	end
	check(#forged == want, c.name .. ": the message has " .. want .. " fields claiming " ..
	    AUTHSERV_ID .. " (found " .. #forged .. ")")
	for _, i in ipairs(forged) do
		check(mt.eom_check(conn, MT_HDRDELETE, AR, i), c.name .. ": forged " .. AR .. " #" .. i .. " deleted")
	end
	for _, i in ipairs(kept) do
		check(not mt.eom_check(conn, MT_HDRDELETE, AR, i), c.name .. ": " .. AR .. " #" .. i .. " of another authserv-id kept")
	end
	check(not mt.eom_check(conn, MT_HDRDELETE, AR, 0) and not mt.eom_check(conn, MT_HDRDELETE, AR, k + 1),
	    c.name .. ": no " .. AR .. " deleted outside #1..#" .. k)
	for _, name in ipairs(names) do
		check(not mt.eom_check(conn, MT_HDRCHANGE, name), c.name .. ": " .. name .. " neither deleted nor changed")
	end
end

-- verify - the expectations of case c after its session.  A reject or
-- tempfail is told apart by the case's want_reply (the full reply).
local function verify(c, conn, got, fields)
	local want = c.want and c.want[1] or "accept"
	local word = got
	if got == "replycode" then
		word = "replycode without a matching want_reply"
		for _, r in ipairs(c.want_reply or {}) do
			if reply_matches(conn, r) then
				word = r:match("^5") and "reject" or "tempfail"
			end
		end
	elseif got == "accept" and mt.eom_check(conn, MT_QUARANTINE) then
		word = "quarantine"
	elseif got == "accept-at-mail" then
		word = "accept"
	end
	check(word == want, c.name .. ": " .. want .. " (got " .. got .. "/" .. word .. ")")
	for _, r in ipairs(c.want_reply or {}) do
		check(reply_matches(conn, r), c.name .. ": reply " .. r)
	end
	local ar = mt.getheader(conn, "Authentication-Results", 0)
	for _, h in ipairs(c.want_header or {}) do
		local ok = ar ~= nil and ar:find(h, 1, true) ~= nil
		check(ok, c.name .. ": Authentication-Results has '" .. h .. "'" .. (ok and "" or (" (got " .. tostring(ar) .. ")")))
	end
	for _, m in ipairs(c.want_no_method or {}) do
		local ok = ar ~= nil and ar:find(";%s+" .. m .. "=") == nil
		check(ok, c.name .. ": Authentication-Results has no " .. m .. "= (got " .. tostring(ar) .. ")")
	end
	if c.want_no_header ~= nil then
		check(ar == nil, c.name .. ": no Authentication-Results added (got " .. tostring(ar) .. ")")
	end
	if c.want_delete ~= nil then
		check_deletes(c, conn, fields, tonumber(c.want_delete[1]))
	end
	if c.want_no_delete ~= nil then
		check(not mt.eom_check(conn, MT_HDRDELETE), c.name .. ": nothing deleted")
	end
end

for path in os.getenv("CASES"):gmatch("%S+") do
	local c = parse_case(path)
	local conn = mt.connect(socket, 40, 0.25)
	if conn == nil then error("cannot connect to " .. socket) end
	local ok, got, fields = pcall(session, c, conn)
	if ok then
		verify(c, conn, got, fields)
	else
		check(false, c.name .. ": session failed: " .. tostring(got))
	end
	mt.disconnect(conn)
end
