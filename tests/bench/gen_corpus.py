#!/usr/bin/python3
"""gen_corpus.py OUTDIR [--messages N] [--domains D] [--seed S]

The benchmark corpus: N messages (default 10,000) from D sender domains
(default 200) under the zone "example.", and that zone, both made from the
seed alone (the same seed gives the same bytes: keys, signatures, bodies).
Called by tests/bench/run.sh; read by tests/bench/milterbench.

Writes OUTDIR/corpus.dat (read by milterbench, format below), OUTDIR/zone.db
(master file of "example." for nsd) and OUTDIR/corpus.txt (what is in it).

The mix, per message: RSA-2048 signed mail from the domain's own servers
(some domains also sign with Ed25519, some with c=simple), mail signed
through an email service provider with a delegated key (a CNAME) or only
with the provider's own d=, unsigned mail, bounces (null sender, SPF of the
HELO name), mailing-list mail whose footer breaks the body hash (half of it
forwarded from a server outside SPF), spoofs from unauthorised addresses
(unsigned, or signed with a key that is not the published one; some from a
non-existent subdomain, some with a forged Authentication-Results field),
mail from domains that do not exist.  Message sizes are log-uniform from
2 KB to 100 KB, with about 1 in 500 messages of 1 MB.  The domains have
SPF records that pass, soft-fail, fail and are neutral (ip4, a, mx,
include, redirect) or none, and DMARC records of every kind: none, p=none,
quarantine, reject, sp=, np=, adkim=s, aspf=s, pct=50, t=y, an invalid p=,
with and without rua.

Each message carries the action authmilter should take (RejectFailures yes,
HoldQuarantinedMessages yes, HonorPct no), worked out here from the same
records without DNS: "accept", "quarantine" or "reject".

corpus.dat: a line "AMBENCH1 COUNT", then per message one line of tab
separated fields
    M ID CLIENT-IP CLIENT-NAME HELO <MAIL-FROM> <RCPT>[,<RCPT>...] EXPECT KIND LENGTH
followed by LENGTH bytes of message (CRLF line ends) and one LF.

Needs Debian's python3-dkim (dkimpy) and python3-nacl: run with
/usr/bin/python3.  Keys are made from the seed by this script (RSA primes
by Miller-Rabin over a seeded generator, Ed25519 from a seeded 32-byte
seed): they are test keys, never use them for anything else."""
import argparse
import base64
import math
import multiprocessing
import os
import random
import sys
import types
from concurrent.futures import ProcessPoolExecutor

import dkim
import nacl.signing

ZONE = "example"
AUTHSERV = "mx.bench.example"
T0 = 1764547200  # 2025-12-01 00:00:00 UTC: every signature's t= and Date
ESP_NETS = ("198.18.250.", "198.18.251.")
TXT_CHUNK = 255

# dkimpy writes t= from time.time(): pin it, or no two runs give the same bytes.
dkim.time = types.SimpleNamespace(time=lambda: T0)

SMALL_PRIMES = [p for p in range(3, 2000) if all(p % q for q in range(2, int(p ** 0.5) + 1))]


# ------------------------------------------------------------------ keys
def probable_prime(n, rng, rounds=12):
    """Miller-Rabin with bases from rng."""
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(rng, bits):
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if any(c % p == 0 for p in SMALL_PRIMES):
            continue
        if probable_prime(c, rng):
            return c


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")  # a leading zero keeps it positive
    return der(0x02, b)


def rsa_key(rng):
    """(PEM private key for dkimpy, base64 SubjectPublicKeyInfo for p=)."""
    e = 65537
    while True:
        p, q = random_prime(rng, 1024), random_prime(rng, 1024)
        phi = (p - 1) * (q - 1)
        if p != q and math.gcd(e, phi) == 1 and (p * q).bit_length() == 2048:
            break
    n, d = p * q, pow(e, -1, phi)
    priv = der(0x30, b"".join(der_int(x) for x in
                              (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))))
    pem = b"-----BEGIN RSA PRIVATE KEY-----\n"
    b64 = base64.b64encode(priv)
    pem += b"".join(b64[i:i + 64] + b"\n" for i in range(0, len(b64), 64))
    pem += b"-----END RSA PRIVATE KEY-----\n"
    rsa_oid = bytes.fromhex("06092a864886f70d0101010500")  # rsaEncryption, NULL
    spki = der(0x30, der(0x30, rsa_oid) + der(0x03, b"\0" + der(0x30, der_int(n) + der_int(e))))
    return pem, base64.b64encode(spki).decode()


def ed_key(rng):
    """(base64 seed for dkimpy, base64 public key for p=)."""
    seed = bytes(rng.getrandbits(8) for _ in range(32))
    pub = bytes(nacl.signing.SigningKey(seed).verify_key)
    return base64.b64encode(seed), base64.b64encode(pub).decode()


# ------------------------------------------------------------------ domains
class Domain:
    """One sender domain: its keys, SPF and DMARC records, as data."""

    def __init__(self, seed, i):
        rng = random.Random("%s:domain:%d" % (seed, i))
        self.i = i
        self.name = "d%03d.%s" % (i, ZONE)
        self.net = "198.18.%d." % i
        self.mta_ip = self.net + "1"
        self.selector = rng.choice(["s2048", "sel1", "k1", "2025a", "mail"])
        self.rsa_priv, self.rsa_pub = rsa_key(rng)
        self.ed = rng.random() < 0.15
        if self.ed:
            self.ed_priv, self.ed_pub = ed_key(rng)
        r = rng.random()
        self.canon = ((b"relaxed", b"relaxed") if r < 0.70 else
                      (b"relaxed", b"simple") if r < 0.85 else (b"simple", b"simple"))
        self.spf_kind = rng.choices(["ip4", "ip4-include", "a-mx", "include", "redirect", "none"],
                                    [40, 20, 15, 10, 5, 10])[0]
        self.esp_key = rng.random() < 0.5  # a key delegated to the provider (CNAME)
        self.dmarc = self.make_dmarc(rng)

    def make_dmarc(self, rng):
        """None (no record) or a dict of the tags that count, plus the text."""
        kind = rng.choices(["norecord", "none", "quarantine", "reject", "invalid"],
                           [13, 30, 22, 33, 2])[0]
        if kind == "norecord":
            return None
        d = {"p": kind if kind != "invalid" else "none", "sp": None, "np": None,
             "adkim": "r", "aspf": "r", "t": False, "pct": 100}
        tags = ["v=DMARC1", "p=" + (kind if kind != "invalid" else "bogus")]
        if kind == "invalid":
            # An unknown p= with a valid rua is p=none (RFC 9989 4.10.1);
            # without rua no DMARC at all: either way nothing is enforced.
            if rng.random() < 0.5:
                tags.append("rua=mailto:dmarc@%s" % self.name)
            d["text"] = "; ".join(tags)
            d["p"] = "none"
            return d
        if rng.random() < 0.25:
            d["sp"] = rng.choice(["none", "quarantine", "reject"])
            tags.append("sp=" + d["sp"])
        if rng.random() < 0.10:
            d["np"] = "reject"
            tags.append("np=reject")
        if rng.random() < 0.15:
            d["adkim"] = "s"
            tags.append("adkim=s")
        if rng.random() < 0.15:
            d["aspf"] = "s"
            tags.append("aspf=s")
        if kind in ("quarantine", "reject") and rng.random() < 0.06:
            d["pct"] = 50
            tags.append("pct=50")
        if rng.random() < 0.04:
            d["t"] = True
            tags.append("t=y")
        if rng.random() < 0.65:
            tags.append("rua=mailto:dmarc-rua@%s" % self.name)
        if rng.random() < 0.10:
            tags.append("ruf=mailto:dmarc-ruf@%s; fo=1" % self.name)
        d["text"] = "; ".join(tags)
        return d

    def spf_ips(self):
        """Client addresses SPF passes for MAIL FROM this domain."""
        if self.spf_kind in ("ip4", "ip4-include", "include"):
            return [self.net + str(h) for h in range(1, 7)]
        if self.spf_kind == "a-mx":
            return [self.mta_ip]
        if self.spf_kind == "redirect":
            return [ESP_NETS[0] + str(h) for h in range(1, 200)]
        return [self.mta_ip]  # no record: mail still comes from its server

    def spf_result(self, ip):
        if self.spf_kind == "none":
            return "none"
        if (ip in self.spf_ips() or (self.spf_kind == "ip4-include" and ip.startswith(ESP_NETS)) or
                (self.spf_kind == "include" and ip.startswith("203.0.113."))):
            return "pass"
        return {"ip4": "fail", "ip4-include": "softfail", "a-mx": "softfail",
                "include": "neutral", "redirect": "fail"}[self.spf_kind]

    def zone(self):
        n = self.name
        out = ["%s. A %s" % (n, self.mta_ip), "%s. MX 10 mta.%s." % (n, n),
               "mta.%s. A %s" % (n, self.mta_ip),
               txt("mta.%s." % n, "v=spf1 a -all"),
               "news.%s. A %s" % (n, self.mta_ip),
               txt("%s._domainkey.%s." % (self.selector, n), "v=DKIM1; k=rsa; p=" + self.rsa_pub)]
        if self.ed:
            out.append(txt("ed1._domainkey.%s." % n, "v=DKIM1; k=ed25519; p=" + self.ed_pub))
        if self.esp_key:
            out.append("esp1._domainkey.%s. CNAME %s.keys.esp.%s." % (n, n.split(".")[0], ZONE))
        spf = {"ip4": "v=spf1 ip4:%s0/29 -all" % self.net,
               "ip4-include": "v=spf1 ip4:%s0/29 include:_spf.esp.%s ~all" % (self.net, ZONE),
               "a-mx": "v=spf1 a:mta.%s mx ~all" % n,
               "include": "v=spf1 include:_spf.%s ?all" % n,
               "redirect": "v=spf1 redirect=_spf.esp.%s" % ZONE}.get(self.spf_kind)
        if spf:
            out.append(txt(n + ".", spf))
        if self.spf_kind == "include":
            out.append(txt("_spf.%s." % n, "v=spf1 ip4:%s0/29 ip4:203.0.113.0/24 -all" % self.net))
        if self.dmarc is not None:
            out.append(txt("_dmarc.%s." % n, self.dmarc["text"]))
        return out


def txt(name, text):
    chunks = " ".join('"%s"' % text[i:i + TXT_CHUNK] for i in range(0, len(text), TXT_CHUNK))
    return "%s TXT %s" % (name, chunks)


class Esp:
    """The email service provider esp.example: its own key, and the keys it
    holds for the domains that delegated a selector to it (CNAME)."""

    def __init__(self, seed, domains):
        rng = random.Random("%s:esp" % seed)
        self.priv, self.pub = rsa_key(rng)
        # The provider signs with the domain's own key pair, published again
        # under the provider's name: one key less to make per domain.
        self.held = {d.name: (d.rsa_priv, d.rsa_pub) for d in domains if d.esp_key}

    def zone(self):
        z = "esp." + ZONE
        out = ["%s. A %s1" % (z, ESP_NETS[0]), "mta.%s. A %s1" % (z, ESP_NETS[0]),
               txt("mta.%s." % z, "v=spf1 ip4:198.18.250.0/23 -all"),
               txt("_spf.%s." % z, "v=spf1 ip4:198.18.250.0/24 ip4:198.18.251.0/24 -all"),
               txt(z + ".", "v=spf1 include:_spf.%s -all" % z),
               txt("s1._domainkey.%s." % z, "v=DKIM1; k=rsa; p=" + self.pub),
               txt("_dmarc.%s." % z, "v=DMARC1; p=none")]
        for name, (_, pub) in sorted(self.held.items()):
            out.append(txt("%s.keys.%s." % (name.split(".")[0], z), "v=DKIM1; k=rsa; p=" + pub))
        return out


# ------------------------------------------------------------------ DMARC, as authmilter applies it
def org(name):
    return ".".join(name.split(".")[-2:])


def aligned(a, b, mode):
    return a == b if mode == "s" else org(a) == org(b)


LOWER = {"reject": "quarantine", "quarantine": "none", "none": "none"}


def expect(domains, from_dom, exists, sigs, spf_dom, spf_res):
    """The action for a message: sigs are the d= of valid signatures."""
    owner = domains.get(org(from_dom))
    rec = owner.dmarc if owner else None
    if rec is None:
        return "accept"
    if any(aligned(d, from_dom, rec["adkim"]) for d in sigs):
        return "accept"
    if spf_res == "pass" and spf_dom and aligned(spf_dom, from_dom, rec["aspf"]):
        return "accept"
    if from_dom == owner.name:
        pol = rec["p"]
    elif not exists and rec["np"]:
        pol = rec["np"]
    else:
        pol = rec["sp"] or rec["p"]
    if rec["t"]:
        pol = LOWER[pol]
    return {"none": "accept", "quarantine": "quarantine", "reject": "reject"}[pol]


# ------------------------------------------------------------------ messages
WORDS = ("the of and to in is for on that with as by this are from at be it an was or which "
         "order invoice meeting report update account project schedule delivery shipment "
         "quarterly review budget agenda contract customer support release notes minutes "
         "please find attached regards thanks team weekly monthly status summary draft final "
         "server network mailbox policy domain record signature header message body archive").split()


class Text:
    """A pool of body lines, drawn once from the seed."""

    def __init__(self, rng, nlines=20000):
        lines = []
        for _ in range(nlines):
            n = rng.randint(6, 13)
            lines.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        self.lines = [ln.encode() + b"\r\n" for ln in lines]

    def body(self, rng, size):
        out, total = [], 0
        i = rng.randrange(len(self.lines))
        while total < size:
            ln = self.lines[i % len(self.lines)]
            if i % 9 == 0:
                ln = b"\r\n"
            out.append(ln)
            total += len(ln)
            i += 1
        return b"".join(out)


def body_size(rng):
    if rng.random() < 0.002:
        return 1024 * 1024
    return int(math.exp(rng.uniform(math.log(2048), math.log(100 * 1024))))


SIGN_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version",
                b"content-type"]


def sign(msg, selector, domain, key, canon, ed=False):
    return dkim.sign(msg, selector.encode(), domain.encode(), key, canonicalize=canon,
                     include_headers=SIGN_HEADERS,
                     signature_algorithm=b"ed25519-sha256" if ed else b"rsa-sha256")


KINDS = [("legit", 52), ("unsigned", 9), ("esp-delegated", 4), ("esp-only", 4),
         ("bounce", 3), ("list-footer", 6), ("spoof", 13), ("spoof-badsig", 4),
         ("spoof-nxsub", 2), ("nxdomain", 2), ("forged-ar", 1)]


class Gen:
    def __init__(self, seed, ndomains, pool):
        self.seed = seed
        self.domains = list(pool.map(Domain, [seed] * ndomains, range(ndomains)))
        self.by_name = {d.name: d for d in self.domains}
        self.esp = Esp(seed, self.domains)
        self.text = Text(random.Random("%s:text" % seed))
        self.attacker_priv, _ = rsa_key(random.Random("%s:attacker" % seed))
        # Mail volume per domain: a few big senders, a long tail (Zipf-like).
        self.weights = [1.0 / (k + 1) ** 0.8 for k in range(ndomains)]

    def zone(self):
        out = ["$TTL 3600",
               "%s. SOA ns.%s. hostmaster.%s. 1 3600 900 604800 3600" % (ZONE, ZONE, ZONE),
               "%s. NS ns.%s." % (ZONE, ZONE), "ns.%s. A 127.0.0.1" % ZONE,
               "%s. A 127.0.0.1" % AUTHSERV]
        for d in self.domains:
            out.extend(d.zone())
        out.extend(self.esp.zone())
        return "\n".join(out) + "\n"

    def message(self, n):
        rng = random.Random("%s:msg:%d" % (self.seed, n))
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        d = rng.choices(self.domains, self.weights)[0]
        m = types.SimpleNamespace(kind=kind, dom=d, from_dom=d.name, exists=True, sigs=[],
                                  ip=rng.choice(d.spf_ips()), helo="mta." + d.name,
                                  mail_from="bounce@" + d.name)
        m.ptr = m.helo
        if kind == "legit" and rng.random() < 0.15:
            m.from_dom = "news." + d.name
        rcpts = ["<user%d@rcpt.example>" % rng.randrange(1000) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        self.envelope(rng, m)
        body = self.text.body(rng, body_size(rng))
        hdr = self.headers(rng, n, m, rcpts[0])
        msg = self.signed(rng, m, hdr + b"\r\n" + body)
        received = ("Received: from %s (%s [%s])\r\n\tby %s (Postfix) with ESMTPS id Q%07d\r\n"
                    "\tfor %s; Mon, 1 Dec 2025 00:00:00 +0000\r\n" %
                    (m.helo, m.ptr, m.ip, AUTHSERV, n, rcpts[0])).encode()
        msg = received + msg
        spf_dom = m.mail_from.split("@")[1] if m.mail_from else m.helo
        spf_res = self.spf(spf_dom, m.ip)
        want = expect(self.by_name, m.from_dom, m.exists, m.sigs, spf_dom, spf_res)
        mf = "<%s>" % m.mail_from
        line = "M\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n" % (n, m.ip, m.ptr, m.helo, mf,
                                                          ",".join(rcpts), want, kind, len(msg))
        return line.encode() + msg + b"\n", kind, want, len(msg)

    def envelope(self, rng, m):
        """Client address, names and MAIL FROM for the kind of message."""
        k, d = m.kind, m.dom
        if k in ("esp-delegated", "esp-only"):
            m.ip = rng.choice(ESP_NETS) + str(rng.randint(1, 199))
            m.helo = m.ptr = "mta.esp." + ZONE
            m.mail_from = "bounce-%d@esp.%s" % (rng.randrange(10 ** 6), ZONE)
        elif k == "bounce":
            m.ip, m.mail_from = d.mta_ip, ""
        elif k == "list-footer" and rng.random() < 0.5:
            m.ip = "192.0.2.%d" % rng.randint(1, 254)  # forwarded by the list's server
            m.helo = m.ptr = "lists.forwarder.%s" % ZONE
        elif k.startswith("spoof") or k == "forged-ar":
            m.ip = "198.19.%d.%d" % (rng.randrange(256), rng.randint(1, 254))
            m.helo = "host-%s.dyn.%s" % (m.ip.replace(".", "-"), ZONE)
            m.ptr = "unknown"
            m.mail_from = "%s@%s" % (rng.choice(["info", "billing", "ceo"]), d.name)
            if k == "spoof-nxsub":
                m.from_dom = "nx%d.%s" % (rng.randrange(10 ** 4), d.name)
                m.exists = False
        elif k == "nxdomain":
            m.from_dom = "nx%05d.%s" % (rng.randrange(10 ** 5), ZONE)
            m.exists = False
            m.mail_from = "sales@" + m.from_dom
            m.ip = "198.19.200.%d" % rng.randint(1, 254)
            m.helo = "mail.%s" % m.from_dom
            m.ptr = "unknown"

    def headers(self, rng, n, m, rcpt):
        h = ["From: \"%s Sender\" <%s@%s>" % (m.from_dom.split(".")[0].capitalize(),
                                              rng.choice(["alice", "bob", "news", "noreply"]),
                                              m.from_dom),
             "To: %s" % rcpt,
             "Subject: %s %d" % (rng.choice(["Invoice", "Weekly report", "Meeting notes",
                                             "Your order", "Re: project update"]), n),
             "Date: Mon, 1 Dec 2025 00:%02d:%02d +0000" % (n // 60 % 60, n % 60),
             "Message-ID: <%d.%d@%s>" % (n, rng.randrange(10 ** 9), m.from_dom),
             "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=us-ascii"]
        if m.from_dom.startswith("news."):
            h.append("List-Unsubscribe: <mailto:unsubscribe@%s>" % m.from_dom)
        if m.kind == "forged-ar":
            h.insert(0, "Authentication-Results: %s; dkim=pass header.d=%s; spf=pass "
                        "smtp.mailfrom=%s; dmarc=pass header.from=%s" %
                     (AUTHSERV, m.dom.name, m.dom.name, m.dom.name))
        return "".join(x + "\r\n" for x in h).encode()

    def signed(self, rng, m, msg):
        """msg with the kind's signatures; m.sigs gets each valid d=."""
        k, d = m.kind, m.dom
        sigs = []
        if k in ("legit", "bounce", "list-footer") and (k != "bounce" or rng.random() < 0.5):
            if not (d.ed and rng.random() < 0.25):  # ed25519-only now and then
                sigs.append(sign(msg, d.selector, d.name, d.rsa_priv, d.canon))
            if d.ed:
                sigs.append(sign(msg, "ed1", d.name, d.ed_priv, d.canon, ed=True))
            if k != "list-footer":
                m.sigs.append(d.name)
        elif k == "esp-delegated" and d.esp_key:
            sigs.append(sign(msg, "esp1", d.name, self.esp.held[d.name][0], (b"relaxed", b"relaxed")))
            m.sigs.append(d.name)
        elif k in ("esp-delegated", "esp-only"):
            sigs.append(sign(msg, "s1", "esp." + ZONE, self.esp.priv, (b"relaxed", b"relaxed")))
            m.sigs.append("esp." + ZONE)
        elif k == "spoof-badsig":
            sigs.append(sign(msg, d.selector, d.name, self.attacker_priv, d.canon))
        out = b"".join(reversed(sigs)) + msg
        if k == "list-footer":
            out += b"\r\n-- \r\nlist footer: unsubscribe at lists.forwarder.example\r\n"
        return out

    def spf(self, dom, ip):
        if dom == "esp." + ZONE or dom == "mta.esp." + ZONE:
            return "pass" if ip.startswith(ESP_NETS) else "fail"
        if dom.startswith("mta.") and dom[4:] in self.by_name:
            return "pass" if ip == self.by_name[dom[4:]].mta_ip else "fail"
        d = self.by_name.get(dom)
        return d.spf_result(ip) if d else "none"


GEN = None  # the generator, inherited by the forked workers


def make_message(n):
    return GEN.message(n)


def main():
    global GEN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--domains", type=int, default=200)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    if not 1 <= a.domains <= 240:
        sys.exit("gen_corpus.py: --domains must be 1..240 (one 198.18.N.0/24 each)")
    os.makedirs(a.outdir, exist_ok=True)
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(a.jobs, mp_context=fork) as pool:
        GEN = Gen(a.seed, a.domains, pool)
    with open(os.path.join(a.outdir, "zone.db"), "w") as f:
        f.write(GEN.zone())
    kinds, wants, total, big = {}, {}, 0, 0
    tmp = os.path.join(a.outdir, "corpus.dat.tmp")
    with open(tmp, "wb") as f:
        f.write(b"AMBENCH1 %d\n" % a.messages)
        # Forked after GEN is set: the workers inherit it; map keeps the order.
        with ProcessPoolExecutor(a.jobs, mp_context=fork) as pool:
            for n, (rec, kind, want, size) in enumerate(
                    pool.map(make_message, range(a.messages), chunksize=16)):
                f.write(rec)
                kinds[kind] = kinds.get(kind, 0) + 1
                wants[want] = wants.get(want, 0) + 1
                total += size
                big += size >= 1024 * 1024
                if n % 1000 == 999:
                    print("gen_corpus.py: %d messages" % (n + 1), file=sys.stderr)
    os.replace(tmp, os.path.join(a.outdir, "corpus.dat"))
    with open(os.path.join(a.outdir, "corpus.txt"), "w") as f:
        f.write("seed %s, %d messages, %d domains, %.1f MB, %d of 1 MB\n" %
                (a.seed, a.messages, a.domains, total / 1e6, big))
        f.write("kinds: %s\n" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
        f.write("expected: %s\n" % ", ".join("%s %d" % kv for kv in sorted(wants.items())))
        ed = sum(d.ed for d in GEN.domains)
        f.write("domains: %d with Ed25519 keys, SPF %s, DMARC %s\n" % (
            ed, count(d.spf_kind for d in GEN.domains),
            count((d.dmarc["p"] if d.dmarc else "norecord") for d in GEN.domains)))


def count(it):
    c = {}
    for x in it:
        c[x] = c.get(x, 0) + 1
    return ", ".join("%s %d" % kv for kv in sorted(c.items()))


if __name__ == "__main__":
    main()
