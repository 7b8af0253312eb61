-- driver.lua - miltertest driver of the wire tests: one SMTP session per
-- case file, against the running authmilter at $SOCKET.  A case file has
-- "key value" lines (see tests/wire/README.md): the session (ip, helo,
-- auth, mailfrom, rcpt, message) and what must come back (want,
-- want_reply, want_header, want_no_method, want_no_header, want_delete,
-- want_quarantine).
-- Prints TAP lines without the plan (run.sh numbers and counts them).

local socket = os.getenv("SOCKET")
local workdir = os.getenv("WORKDIR")
local srcdir = os.getenv("CASEDIR")

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
	return reply_word(conn)
end

-- reply_matches - did the filter set this exact reply ("550 5.7.1 text")?
-- (miltertest compares SMFIR_REPLYCODE replies only with all three parts.)
local function reply_matches(conn, r)
	local code, x, text = r:match("^(%d+)%s+(%S+)%s+(.*)$")
	return code ~= nil and mt.eom_check(conn, MT_SMTPREPLY, code, x, text)
end

-- verify - the expectations of case c after its session.  A reject or
-- tempfail is told apart by the case's want_reply (the full reply).
local function verify(c, conn, got)
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
		check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), c.name .. ": forged Authentication-Results deleted")
	end
	if c.want_no_delete ~= nil then
		check(not mt.eom_check(conn, MT_HDRDELETE), c.name .. ": nothing deleted")
	end
end

for path in os.getenv("CASES"):gmatch("%S+") do
	local c = parse_case(path)
	local conn = mt.connect(socket, 40, 0.25)
	if conn == nil then error("cannot connect to " .. socket) end
	local ok, got = pcall(session, c, conn)
	if ok then
		verify(c, conn, got)
	else
		check(false, c.name .. ": session failed: " .. tostring(got))
	end
	mt.disconnect(conn)
end
