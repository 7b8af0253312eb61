# arc_sign.py - the ARC test sealer: chains sealed during the test by an
# independent implementation, Debian's python3-dkim (dkimpy), with keys made
# by openssl.  Run by tests/unit/test_arc (tests/common/arc_sign.c).
#
# Usage: python3 arc_sign.py DIR
# Writes into DIR:
#   *.pem       the keys (RSA 512, 1024, 2048, 3072 and Ed25519);
#   zone        the key records (and a DMARC record for later use) as
#               master-format lines with absolute names under example.com.,
#               plus "slow._domainkey.hop1.example.com. TIMEOUT" for the
#               resolver's zone-file mode;
#   nsd.zone    the same records as a whole zone for nsd (SOA, NS, no
#               TIMEOUT line);
#   NAME.eml    one message per case (build() below; EXPECT lists them);
#   oracle.tsv  per case: name, the chain result this script expects (RFC
#               8617 5.2), dkimpy's arc_verify result and oldest pass,
#               whether they agree ("yes", "known": a difference listed in
#               KNOWN_DIFF, "no"), dkimpy's per-instance AMS/seal validity,
#               and a note.
# Exits non-zero when dkimpy disagrees with an expectation other than in the
# known ways listed in KNOWN_DIFF.
#
# Each hop of a chain prepends a Received field and its own
# Authentication-Results (authserv-id = the hop's domain; from the second hop
# on with "arc=pass", or the result the hop claims), then dkimpy seals: its
# cv= comes from that arc= result, so chains run none, pass, pass, ...
#
# dkimpy 1.1 quirks worked around here:
#   - dkim.arc_sign() always seals with rsa-sha256 whatever
#     signature_algorithm says, and ARC.sign() parses the key as PEM RSA
#     only: Ed25519 seals go through ARC directly with the key parser
#     swapped for PyNaCl's;
#   - dkim.arc_verify() accepts only rsa-sha256 (ARC_HASH_ALGORITHMS), so
#     the oracle for the Ed25519 case runs with ed25519-sha256 added to it
#     (stock dkimpy says fail: recorded in the case's note);
#   - ARC.sign always writes c=relaxed/relaxed and one d=/s= for AMS and
#     seal: seal_custom() builds such sets from dkimpy's own gen_header.
# Where dkimpy's verdict departs from RFC 8617 otherwise, KNOWN_DIFF says
# how (its verify also checks a cv=fail seal over every set, where RFC 8617
# 5.1.2 signs only the newest; moot, as step 2 stops before the seals).
import base64
import hashlib
import os
import subprocess
import sys
import time

import dkim
import dkim.crypto
import nacl.encoding
import nacl.signing

os.chdir(sys.argv[1])


def sh(*a):
    return subprocess.run(a, check=True, capture_output=True).stdout


def rsa(name, bits):
    sh('openssl', 'genrsa', '-traditional', '-out', name + '.pem', str(bits))
    der = sh('openssl', 'rsa', '-in', name + '.pem', '-pubout', '-outform', 'DER')
    return ('rsa', open(name + '.pem', 'rb').read(), base64.b64encode(der).decode())


def ed(name):
    sh('openssl', 'genpkey', '-algorithm', 'ed25519', '-out', name + '.pem')
    priv = sh('openssl', 'pkey', '-in', name + '.pem', '-outform', 'DER')[-32:]
    pub = sh('openssl', 'pkey', '-in', name + '.pem', '-pubout', '-outform', 'DER')[-32:]
    return ('ed25519', base64.b64encode(priv), base64.b64encode(pub).decode())


def txt(s):
    return ' '.join('"%s"' % s[i:i + 255] for i in range(0, len(s), 255))


KEYS = {'r2k': rsa('r2k', 2048), 'r3k': rsa('r3k', 3072), 'r1k': rsa('r1k', 1024),
        'r512': rsa('r512', 512), 'ed': ed('ed'), 'author': rsa('author', 2048)}

# selector._domainkey.domain -> key; every hop domain has "arc" (RSA-2048).
HOPS = ['hop%d.example.com' % k for k in range(1, 6)] + ['list.example.com',
                                                          'alt.example.com']
SELECTORS = [(b'arc', d, 'r2k') for d in HOPS] + [
    (b'big', 'hop1.example.com', 'r3k'),
    (b'ed', 'hop1.example.com', 'ed'), (b'ed', 'hop2.example.com', 'ed'),
    (b'k1024', 'hop1.example.com', 'r1k'),
    (b'small', 'hop2.example.com', 'r512'),
    (b'dk', 'author.example.com', 'author'), (b'hsha1', 'hop1.example.com', 'r2k'),
    (b'revoked', 'hop1.example.com', None), (b'spaced', 'hop2.example.com', 'r2k'),
    (b'minimal', 'hop3.example.com', 'r2k'), (b'badtag', 'hop3.example.com', 'r2k')]
DNS = {}
with open('zone', 'w') as z:
    for sel, dom, key in SELECTORS:
        name = '%s._domainkey.%s.' % (sel.decode(), dom)
        if key is None:
            rec = 'v=DKIM1; k=rsa; p='
        elif sel == b'spaced':
            p = KEYS[key][2]
            rec = 'v=DKIM1; k=rsa; p=%s' % ' '.join(p[i:i + 64] for i in range(0, len(p), 64))
        elif sel == b'minimal':		# no v=, no k= (rsa), an unknown tag
            rec = 'p=%s; xnote=unknown tags are ignored' % KEYS[key][2]
        elif sel == b'badtag':		# "-" is not allowed in a tag name
            rec = 'v=DKIM1; k=rsa; p=%s; x-note=bad' % KEYS[key][2]
        elif sel == b'hsha1':
            rec = 'v=DKIM1; k=rsa; h=sha1; p=%s' % KEYS[key][2]
        else:
            rec = 'v=DKIM1; k=%s; p=%s' % (KEYS[key][0], KEYS[key][2])
        DNS[name.encode()] = rec.encode()
        z.write('%s TXT %s\n' % (name, txt(rec)))
    # A key delegated by CNAME, as to a provider.
    z.write('delegated._domainkey.hop4.example.com. CNAME arc._domainkey.hop1.example.com.\n')
    DNS[b'delegated._domainkey.hop4.example.com.'] = DNS[b'arc._domainkey.hop1.example.com.']
    z.write('_dmarc.author.example.com. TXT "v=DMARC1; p=reject"\n')
    z.write('slow._domainkey.hop1.example.com. TIMEOUT\n')
with open('nsd.zone', 'w') as z:
    z.write('$ORIGIN example.com.\n$TTL 300\n'
            '@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300\n'
            '@ IN NS ns\nns IN A 127.0.0.1\n')
    z.writelines(l for l in open('zone') if ' TIMEOUT' not in l)


class Timeout(Exception):
    pass


def dnsfunc(name, timeout=5):
    if name == b'slow._domainkey.hop1.example.com.':
        raise dkim.DnsTimeoutError('timed out')
    return DNS.get(name)


ORIGINAL = (b'From: Alice <alice@author.example.com>\r\n'
            b'To: list@list.example.com\r\n'
            b'Subject: ARC test\r\n'
            b'Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n'
            b'Message-ID: <arc-test@author.example.com>\r\n'
            b'MIME-Version: 1.0\r\n'
            b'Content-Type: text/plain; charset=us-ascii\r\n'
            b'\r\n'
            b'Hello list,\r\n\r\nthe body of the message.\r\n')


def authored(body=None):
    """The original message (or its header with another body), DKIM-signed
    by the author's domain."""
    m = ORIGINAL if body is None else ORIGINAL.split(b'\r\n\r\n', 1)[0] + b'\r\n\r\n' + body
    sig = dkim.sign(m, b'dk', b'author.example.com', KEYS['author'][1],
                    canonicalize=(b'relaxed', b'relaxed'))
    return sig + m


def ed_key_parser(data):
    """dkim.parse_pem_private_key for Ed25519 seeds (ARC.sign's parser)."""
    return nacl.signing.SigningKey(data, encoder=nacl.encoding.Base64Encoder)


def hop_fields(msg, k, srv, claim, results=None):
    """msg with hop k's Authentication-Results and Received prepended."""
    res = results or 'spf=pass smtp.mailfrom=author.example.com'
    if claim is not None:
        res += ';\r\n\tarc=%s' % claim
    head = ('Authentication-Results: %s; %s\r\n' % (srv, res)).encode()
    recv = ('Received: from hop%d.example.net by %s; Tue, 01 Dec 2026 %02d:%02d:00 +0000\r\n'
            % (k - 1, srv, 10 + k // 60, k % 60)).encode()
    return head + recv + msg


def seal(msg, k, dom, sel=b'arc', key='r2k', claim=None, results=None, srv=None,
         extra=(), alg=None):
    """Hop k (1-based, for the Received line) at dom receives msg, adds its
    Authentication-Results (authserv-id srv, default dom; results, plus
    arc=claim when given) and seals with d=dom; the AMS signs dkimpy's
    default fields plus extra (which may then include DKIM-Signature and
    Received)."""
    srv = srv or dom
    msg = hop_fields(msg, k, srv, claim, results)
    alg = alg or (b'ed25519-sha256' if KEYS[key][0] == 'ed25519' else b'rsa-sha256')
    if alg == b'rsa-sha256' and not extra:
        arc = dkim.arc_sign(msg, sel, dom.encode(), KEYS[key][1], srv.encode())
    else:
        a = dkim.ARC(msg, signature_algorithm=alg)
        a.should_not_sign -= set(extra)
        hdrs = a.default_sign_headers() + list(extra)
        saved = dkim.parse_pem_private_key
        if alg == b'ed25519-sha256':
            dkim.parse_pem_private_key = ed_key_parser
        try:
            arc = a.sign(sel, dom.encode(), KEYS[key][1], srv.encode(), include_headers=hdrs)
        finally:
            dkim.parse_pem_private_key = saved
    if len(arc) != 3:
        raise SystemExit('arc_sign.py: dkimpy did not seal at %s' % dom)
    return b''.join(arc) + msg


def spaced(fields, on):
    """With on, whitespace around every tag name and value but b= (RFC
    6376 3.2 allows FWS there)."""
    return [(b' ' + n + b' ', b' ' + v + b' ') if on and n != b'b' else (n, v)
            for n, v in fields]


def seal_custom(msg, k, dom, claim, canon=b'simple/simple', seal_dom=None, seal_sel=b'arc',
                space=()):
    """Like seal(), but with what dkimpy's ARC.sign cannot write: an AMS with
    c=canon (ARC.sign always writes relaxed/relaxed), a seal under another
    d= and s= than the AMS, whitespace around the tags of the fields named
    in space ('aar', 'ams', 'seal').  The set is put together here as
    ARC.sign does it, from dkimpy's own DomainSigner.gen_header."""
    msg = hop_fields(msg, k, dom, claim)
    seal_dom = seal_dom or dom
    a = dkim.ARC(msg)
    a.hasher = hashlib.sha256
    pk = dkim.parse_pem_private_key(KEYS['r2k'][1])
    inst = a.sorted_arc_headers()[0] + 1
    aar = ('%s; %s; spf=pass smtp.mailfrom=author.example.com%s\r\n'
           % ('i = %d ' % inst if 'aar' in space else 'i=%d' % inst, dom,
              '; arc=%s' % claim if claim else '')).encode()
    a.headers.insert(0, [b'ARC-Authentication-Results', b' ' + aar])
    policy = dkim.CanonicalizationPolicy.from_c_value(canon)
    relaxed = dkim.CanonicalizationPolicy.from_c_value(b'relaxed/relaxed')
    bh = base64.b64encode(hashlib.sha256(policy.canonicalize_body(a.body)).digest())
    t = str(int(time.time())).encode()
    hdrs = [x.lower() for x in a.default_sign_headers()]
    ams = a.gen_header(spaced([(b'i', str(inst).encode()), (b'a', b'rsa-sha256'),
                               (b'c', canon), (b'd', dom.encode()), (b's', b'arc'),
                               (b't', t), (b'h', b' : '.join(hdrs)), (b'bh', bh),
                               (b'b', b'0' * 60)], 'ams' in space),
                       hdrs, policy, b'ARC-Message-Signature', pk)
    a.headers.insert(0, [b'ARC-Message-Signature', b' ' + ams])
    names = [b'arc-authentication-results', b'arc-message-signature', b'arc-seal']
    seal_ = a.gen_header(spaced([(b'i', str(inst).encode()),
                                 (b'cv', b'none' if inst == 1 else claim.encode()),
                                 (b'a', b'rsa-sha256'), (b'd', seal_dom.encode()),
                                 (b's', seal_sel), (b't', t), (b'b', b'0' * 60)],
                                'seal' in space),
                         names * (inst - 1) + names[:2], relaxed, b'ARC-Seal', pk)
    return (b'ARC-Seal: ' + seal_ + b'ARC-Message-Signature: ' + ams +
            b'ARC-Authentication-Results: ' + aar + msg)


def chain(n, first=1, msg=None, **kw):
    """Hops first..n, each sealed with cv= pass after the first."""
    msg = msg if msg is not None else authored()
    for k in range(first, n + 1):
        msg = seal(msg, k, 'hop%d.example.com' % k, claim=None if k == 1 else 'pass', **kw)
    return msg


def split_fields(msg):
    """The header fields (with folds and CRLF) and the body."""
    head, body = msg.split(b'\r\n\r\n', 1)
    fields = []
    for line in head.split(b'\r\n'):
        if line[:1] in (b' ', b'\t'):
            fields[-1] += line + b'\r\n'
        else:
            fields.append(line + b'\r\n')
    return fields, body


def instance_of(field):
    name = field.split(b':', 1)[0].lower()
    if name not in (b'arc-seal', b'arc-message-signature', b'arc-authentication-results'):
        return None
    m = dkim.ARC.INSTANCE_RE.search(field.split(b':', 1)[1])
    return int(m.group(1)) if m else None


def without(msg, inst, names=None):
    """msg without the ARC fields of instance inst (only names, if given)."""
    fields, body = split_fields(msg)
    keep = [f for f in fields if instance_of(f) != inst or
            (names is not None and f.split(b':', 1)[0].lower() not in names)]
    return b''.join(keep) + b'\r\n' + body


def arc_fields(msg, inst):
    return [f for f in split_fields(msg)[0] if instance_of(f) == inst]


def body_edit(msg):
    """A mailing list footer: the body hash of every earlier AMS breaks."""
    return msg + b'-- \r\nlist footer\r\n'


def build():
    c = {}
    c['none'] = authored()
    c['one_hop'] = chain(1)
    c['two_hops'] = chain(2)
    c['five_hops'] = chain(5)
    # Hop 3 checks the chain (pass), adds a footer, then seals: its own AMS
    # covers the new body, the two older ones no longer verify.
    c['body_changed_hop3'] = chain(3, first=3, msg=body_edit(chain(2)))
    # Changed after the last hop: the newest AMS fails.
    c['body_changed_last'] = body_edit(chain(2))
    c['header_changed_last'] = chain(2).replace(b'Subject: ARC test', b'Subject: ARC t3st')
    # Hop 2 finds hop 1's AMS broken and seals cv=fail (RFC 8617 5.1.2: its
    # seal covers its own set only); hop 3 then claims pass regardless.
    broken = body_edit(chain(1))
    c['cv_fail'] = seal(broken, 2, 'hop2.example.com', claim='fail')
    c['cv_fail_then_pass'] = seal(c['cv_fail'], 3, 'hop3.example.com', claim='pass')
    c['gap'] = without(chain(3), 2)
    c['no_instance_1'] = without(chain(2), 1)
    c['missing_aar'] = without(chain(2), 1, names=(b'arc-authentication-results',))
    # Two complete sets with i=2: hop 2 and another sealer both sealed the
    # one-hop message.
    one = chain(1)
    dup = seal(one, 2, 'alt.example.com', claim='pass')
    c['duplicate'] = b''.join(arc_fields(dup, 2)) + chain(2, first=2, msg=one)
    # An older AAR edited after hop 2: seals 1 and 2 no longer verify.
    c['aar_changed'] = chain(2).replace(b'i=1; hop1.example.com; spf=pass',
                                        b'i=1; hop1.example.com; spf=fail')
    c['rsa3072'] = chain(2, first=2, msg=seal(authored(), 1, 'hop1.example.com',
                                               sel=b'big', key='r3k'))
    c['rsa1024'] = seal(authored(), 1, 'hop1.example.com', sel=b'k1024', key='r1k')
    c['rsa512'] = seal(chain(1), 2, 'hop2.example.com', sel=b'small', key='r512',
                       claim='pass')
    c['ed25519'] = seal(seal(authored(), 1, 'hop1.example.com', sel=b'ed', key='ed'),
                        2, 'hop2.example.com', sel=b'ed', key='ed', claim='pass')
    c['missing_key'] = seal(authored(), 1, 'hop1.example.com', sel=b'nokey')
    c['timeout_key'] = seal(authored(), 1, 'hop1.example.com', sel=b'slow')
    # A list the author's domain trusts: it saw DKIM and DMARC pass, then
    # tagged the subject and added a footer (the author's DKIM signature
    # breaks) and sealed.
    listed = body_edit(authored()).replace(b'Subject: ARC test', b'Subject: [list] ARC test')
    c['trusted_forwarder'] = seal(
        listed, 1, 'list.example.com',
        results='dkim=pass header.d=author.example.com header.s=dk;\r\n'
                '\tspf=pass smtp.mailfrom=author.example.com;\r\n'
                '\tdmarc=pass header.from=author.example.com')
    # Structure: cv= of instance 1 not none, of instance 2 not pass, a seal
    # without its tags (the incumbents crashed on "ARC-Seal: i=1; none").
    c['cv_pass_at_1'] = chain(1).replace(b'i=1; cv=none;', b'i=1; cv=pass;')
    c['cv_none_at_2'] = chain(2).replace(b'i=2; cv=pass;', b'i=2; cv=none;')
    fields, body = split_fields(chain(1))
    c['malformed_seal'] = b''.join(b'ARC-Seal: i=1; none\r\n' if f.startswith(b'ARC-Seal:')
                                   else f for f in fields) + b'\r\n' + body
    # Relaxed canonicalization: a field name's case, folding whitespace in an
    # older AAR, trailing blanks and blank lines in the body do not matter.
    two = chain(2)
    assert b'\r\n  arc=pass' in two
    c['relaxed'] = (two.replace(b'ARC-Seal: i=1;', b'arc-seal: i=1;', 1)
                    .replace(b'Subject: ARC test', b'Subject:\tARC  test ', 1)
                    .replace(b'\r\n  arc=pass', b'\r\n\t \tarc=pass', 1)
                    .replace(b'the body of the message.', b'the body  of the message.\t')
                    + b'\r\n\r\n')
    # The most sets there may be (RFC 8617 4.2.1), and one more (a copy of
    # the newest set renumbered 51: the structure fails before any check).
    msg = authored()
    for k in range(1, 51):
        msg = seal(msg, k, 'hop%d.example.com' % ((k - 1) % 5 + 1),
                   claim=None if k == 1 else 'pass', srv='relay%d.example.net' % k)
    c['fifty_hops'] = msg
    c['fifty_one'] = b''.join(f.replace(b'i=50;', b'i=51;', 1)
                              for f in arc_fields(msg, 50)) + msg
    # What the final MTA prepends (signed field names among them) does not
    # break the chain: repeated fields are signed from the bottom up.
    c['final_mta_fields'] = (b'Authentication-Results: mx.example.org; spf=pass '
                             b'smtp.mailfrom=author.example.com\r\n'
                             b'Received: from hop5.example.com by mx.example.org; '
                             b'Tue, 01 Dec 2026 11:00:00 +0000\r\n'
                             b'Return-Path: <alice@author.example.com>\r\n') + c['five_hops']
    # AMSs that also sign DKIM-Signature, Received and (bottom-up, so the
    # oldest) ARC-Authentication-Results.
    more = (b'dkim-signature', b'received', b'arc-authentication-results')
    c['ams_signs_more'] = seal(seal(authored(), 1, 'hop1.example.com', extra=more), 2,
                               'hop2.example.com', claim='pass', extra=more)
    # Bodies: empty, and without a final CRLF.
    c['empty_body'] = seal(authored(b''), 1, 'hop1.example.com')
    c['no_final_crlf'] = seal(authored(b'one line, no line end'), 1, 'hop1.example.com')
    # Keys: h=sha1 only (RFC 6376 3.6.1: a=rsa-sha256 must not verify),
    # k=ed25519 for an rsa-sha256 seal, revoked (p= empty).
    c['key_h_sha1'] = seal(authored(), 1, 'hop1.example.com', sel=b'hsha1')
    c['key_type_mismatch'] = seal(authored(), 1, 'hop1.example.com', sel=b'ed')
    c['revoked_key'] = seal(authored(), 1, 'hop1.example.com', sel=b'revoked')
    # Structure: a second AAR for instance 1; every field of a one-hop chain
    # renumbered i=0.
    two = chain(2)
    c['duplicate_aar'] = b''.join(arc_fields(two, 1)[2:]) + two
    assert arc_fields(two, 1)[2].startswith(b'ARC-Authentication-Results:')
    c['instance_zero'] = b''.join(f.replace(b'i=1;', b'i=0;', 1) if instance_of(f) == 1 else f
                                  for f in split_fields(chain(1))[0]) + b'\r\n' + \
        split_fields(chain(1))[1]
    # Hop 2 adds List-Id and signs it; hop 3 changes it, then seals: AMS 3
    # and AMS 1 (which does not sign List-Id) verify, AMS 2 does not.  RFC
    # 8617 5.2 step 5 walks down from N-1 and stops at AMS 2: oldest pass 3.
    hop2 = seal(b'List-Id: <list.example.com>\r\n' + chain(1), 2, 'hop2.example.com',
                claim='pass')
    c['older_ams_gap'] = seal(hop2.replace(b'List-Id: <list.example.com>',
                                           b'List-Id: Renamed <list.example.com>'),
                              3, 'hop3.example.com', claim='pass')
    # An AMS with c=simple/simple; the same with the Subject's whitespace
    # changed after sealing (relaxed would not care, simple does).
    c['ams_simple'] = seal_custom(chain(1), 2, 'hop2.example.com', 'pass')
    c['ams_simple_refolded'] = c['ams_simple'].replace(b'Subject: ARC test',
                                                       b'Subject:  ARC test', 1)
    # RFC 8301 3.1: rsa-sha1 is not to be verified.
    c['rsa_sha1'] = seal(authored(), 1, 'hop1.example.com', alg=b'rsa-sha1')
    # The fields of each set in another order (AAR on top), and a key record
    # whose p= is broken by spaces (RFC 6376 3.6.1: base64 with FWS).
    fields, body = split_fields(chain(3))
    out, group = [], []
    for f in fields:
        if instance_of(f) is None:
            out += group[::-1] + [f]
            group = []
        else:
            group.append(f)
    c['reordered_sets'] = b''.join(out + group[::-1]) + b'\r\n' + body
    c['key_p_spaces'] = seal(authored(), 1, 'hop2.example.com', sel=b'spaced')
    # Seals under another d= than their AMS; a seal key that is missing, or
    # that times out (the resolver's zone-file mode) while the AMS's is fine.
    relaxed = b'relaxed/relaxed'
    c['seal_other_domain'] = seal_custom(seal_custom(authored(), 1, 'hop1.example.com', None,
                                                     relaxed, seal_dom='alt.example.com'),
                                         2, 'hop2.example.com', 'pass', relaxed,
                                         seal_dom='list.example.com')
    c['seal_missing_key'] = seal_custom(authored(), 1, 'hop1.example.com', None, relaxed,
                                        seal_sel=b'nokey')
    # Key records: the least RFC 6376 3.6.1 asks for, and one reached by CNAME.
    c['key_minimal'] = seal(authored(), 1, 'hop3.example.com', sel=b'minimal')
    c['key_bad_tag'] = seal(authored(), 1, 'hop3.example.com', sel=b'badtag')
    c['key_cname'] = seal(chain(1), 2, 'hop4.example.com', sel=b'delegated', claim='pass')
    # Whitespace around tags (RFC 6376 3.2 tag-lists, RFC 8617 4.1.1
    # "i = 1 ;" in an AAR): in the AAR and seal of hop 2, and also in its AMS.
    c['spaced_seal'] = seal_custom(chain(1), 2, 'hop2.example.com', 'pass', relaxed,
                                   space=('aar', 'seal'))
    c['spaced_tags'] = seal_custom(chain(1), 2, 'hop2.example.com', 'pass', relaxed,
                                   space=('aar', 'ams', 'seal'))
    # A valid chain under 5000 trace fields (valid: RFC 8617 sets no limit;
    # past the verifier's limit on header fields, which then says fail).
    c['too_many_fields'] = b''.join(b'X-Trace: %d\r\n' % i for i in range(5000)) + chain(1)
    c['seal_timeout'] = seal_custom(authored(), 1, 'hop1.example.com', None, relaxed,
                                    seal_sel=b'slow')
    return c


# name -> (chain, oldest pass) this script expects (RFC 8617 5.2; oldest
# pass as milter/arc_verify.h defines it: the oldest instance whose AMS
# still verifies, 0 unless the chain passes).
EXPECT = {
    'none': ('none', 0), 'one_hop': ('pass', 1), 'two_hops': ('pass', 1),
    'five_hops': ('pass', 1), 'body_changed_hop3': ('pass', 3),
    'body_changed_last': ('fail', 0), 'header_changed_last': ('fail', 0),
    'cv_fail': ('fail', 0), 'cv_fail_then_pass': ('fail', 0), 'gap': ('fail', 0),
    'no_instance_1': ('fail', 0), 'missing_aar': ('fail', 0), 'duplicate': ('fail', 0),
    'aar_changed': ('fail', 0), 'rsa3072': ('pass', 1), 'rsa1024': ('pass', 1),
    'rsa512': ('fail', 0), 'ed25519': ('pass', 1), 'missing_key': ('fail', 0),
    'timeout_key': ('fail', 0), 'trusted_forwarder': ('pass', 1),
    'cv_pass_at_1': ('fail', 0), 'cv_none_at_2': ('fail', 0), 'malformed_seal': ('fail', 0),
    'relaxed': ('pass', 1), 'fifty_hops': ('pass', 1), 'fifty_one': ('fail', 0),
    'final_mta_fields': ('pass', 1), 'ams_signs_more': ('pass', 1), 'empty_body': ('pass', 1),
    'no_final_crlf': ('pass', 1), 'key_h_sha1': ('fail', 0), 'key_type_mismatch': ('fail', 0),
    'revoked_key': ('fail', 0), 'duplicate_aar': ('fail', 0), 'instance_zero': ('fail', 0),
    'older_ams_gap': ('pass', 3), 'ams_simple': ('pass', 1), 'ams_simple_refolded': ('fail', 0),
    'rsa_sha1': ('fail', 0), 'reordered_sets': ('pass', 1), 'key_p_spaces': ('pass', 1),
    'too_many_fields': ('pass', 1), 'seal_other_domain': ('pass', 1),
    'spaced_seal': ('pass', 1), 'spaced_tags': ('pass', 1),
    'key_minimal': ('pass', 1), 'key_cname': ('pass', 1), 'key_bad_tag': ('fail', 0), 'seal_missing_key': ('fail', 0), 'seal_timeout': ('fail', 0),
}

# Where dkimpy 1.1.4 answers differently from RFC 8617, and why.
KNOWN_DIFF = {
    'cv_fail': 'dkimpy returns None ("the chain is terminated") for a newest '
               'cv=fail; RFC 8617 5.2 step 2 makes that chain fail',
    'cv_fail_then_pass': 'dkimpy returns None ("the chain is terminated") for '
                         'a cv=fail in the chain; RFC 8617 5.2 step 3 makes it fail',
    'key_h_sha1': 'dkimpy ignores h= of the key record; RFC 6376 3.6.1 and 6.1.2 '
                  '(ARC keys are DKIM keys) make an rsa-sha256 signature under '
                  'h=sha1 fail',
    'key_type_mismatch': 'dkimpy lets nacl.exceptions.ValueError escape from '
                         'arc_verify for an rsa-sha256 signature under a '
                         'k=ed25519 key, instead of failing the signature',
    'spaced_tags': 'dkimpy finds the AMS of an instance by the literal text '
                   '" i=N;" and lets an IndexError escape from arc_verify when '
                   'the AMS writes "i = 2 ;" (RFC 6376 3.2 allows FWS around '
                   'tags and "=")',
    'key_bad_tag': 'dkimpy accepts a key record with the tag name "x-note"; '
                   'RFC 6376 3.2 (tag-name = ALPHA *ALNUMPUNC, no "-") makes '
                   'it a syntax error and 6.1.2 a PERMFAIL (key syntax error)',
    'instance_zero': 'dkimpy takes ARC fields that all have i=0 for no ARC '
                     'fields (none); arc_verify.h, like RFC 8617 4.2.1 (i= is '
                     '1..50) and 5.2 step 3, makes them a malformed chain: fail',
}
ED_NOTE = ('stock dkimpy rejects a=ed25519-sha256 in ARC fields (only '
           'rsa-sha256 in ARC_HASH_ALGORITHMS); RFC 8617 takes a= from the '
           'DKIM registry, where RFC 8463 added ed25519-sha256; checked with '
           'ed25519-sha256 allowed')


def oracle(msg, allow_ed=False):
    """dkimpy's verdict: chain, oldest pass, per-instance 'AMS seal' P/F."""
    saved = dict(dkim.ARC_HASH_ALGORITHMS)
    if allow_ed:
        dkim.ARC_HASH_ALGORITHMS[b'ed25519-sha256'] = dkim.crypto.HASH_ALGORITHMS[b'ed25519-sha256']
    try:
        cv, results, why = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    except Exception as e:		# dkimpy let something escape
        return 'error', 0, '-', '%s: %s' % (type(e).__name__, e)
    finally:
        dkim.ARC_HASH_ALGORITHMS.clear()
        dkim.ARC_HASH_ALGORITHMS.update(saved)
    name = {dkim.CV_Pass: 'pass', dkim.CV_Fail: 'fail', dkim.CV_None: 'none',
            None: 'terminated'}[cv]
    oldest = 0
    if name == 'pass':
        for r in results:		# newest first
            if not r['ams-valid']:
                break
            oldest = r['instance']
    sets = ','.join('%d:%s%s' % (r['instance'], 'P' if r['ams-valid'] else 'F',
                                 'P' if r['as-valid'] else 'F')
                    for r in reversed(results))
    return name, oldest, sets or '-', why


def main():
    cases = build()
    bad = 0
    with open('oracle.tsv', 'w') as o:
        o.write('# name\texpected\tdkimpy\toldest_pass\tagree\tsets\tnote\n')
        for name, msg in cases.items():
            open(name + '.eml', 'wb').write(msg)
            want, want_oldest = EXPECT[name]
            got, oldest, sets, why = oracle(msg, allow_ed=(name == 'ed25519'))
            note = KNOWN_DIFF.get(name, '')
            if name == 'ed25519':
                note = ED_NOTE + ' (stock dkimpy: %s)' % oracle(msg)[0]
            agree = 'yes' if got == want and oldest == want_oldest else \
                'known' if name in KNOWN_DIFF else 'no'
            if agree == 'no':
                sys.stderr.write('arc_sign.py: %s: expected %s/%d, dkimpy %s/%d (%s)\n'
                                 % (name, want, want_oldest, got, oldest, why))
                bad += 1
            o.write('%s\t%s\t%s\t%d\t%s\t%s\t%s\n' % (
                name, want, got, oldest, agree, sets, (note + ' -- ' + why) if note else why))
    return 1 if bad else 0


sys.exit(main())
