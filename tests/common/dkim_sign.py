# dkim_sign.py - the DKIM test signer (Debian's python3-dkim, dkimpy, with
# keys made by openssl), run by tests/common/dkim_sign.c for the DKIM unit
# test and the stress test.
#
# Usage: python3 dkim_sign.py DIR
# Writes into DIR: the keys (*.pem), "zone" (the public keys as master-format
# lines with absolute names under example.com., plus one TIMEOUT line for the
# resolver's zone-file mode) and one NAME.eml per test message, all signed
# with d=example.com over the same message.
import base64
import hashlib
import os
import subprocess
import sys
import time

import dkim

os.chdir(sys.argv[1])


def sh(*a):
    return subprocess.run(a, check=True, capture_output=True).stdout


def rsa(name, bits):
    sh('openssl', 'genrsa', '-traditional', '-out', name + '.pem', str(bits))
    der = sh('openssl', 'rsa', '-in', name + '.pem', '-pubout', '-outform', 'DER')
    return open(name + '.pem', 'rb').read(), base64.b64encode(der).decode()


def ed(name):
    sh('openssl', 'genpkey', '-algorithm', 'ed25519', '-out', name + '.pem')
    priv = sh('openssl', 'pkey', '-in', name + '.pem', '-outform', 'DER')[-32:]
    pub = sh('openssl', 'pkey', '-in', name + '.pem', '-pubout', '-outform', 'DER')[-32:]
    return base64.b64encode(priv), base64.b64encode(pub).decode()


def txt(s):
    return ' '.join('"%s"' % s[i:i + 255] for i in range(0, len(s), 255))


r2k, r2kp = rsa('r2k', 2048)
r512, r512p = rsa('r512', 512)
e, ep = ed('ed')
pkcs1 = base64.b64encode(sh('openssl', 'rsa', '-in', 'r2k.pem', '-RSAPublicKey_out',
                            '-outform', 'DER')).decode()
with open('zone', 'w') as z:
    z.write('rsa._domainkey.example.com. TXT %s\n' % txt('v=DKIM1; k=rsa; p=' + r2kp))
    z.write('small._domainkey.example.com. TXT %s\n' % txt('v=DKIM1; k=rsa; p=' + r512p))
    z.write('ed._domainkey.example.com. TXT %s\n' % txt('v=DKIM1; k=ed25519; p=' + ep))
    z.write('revoked._domainkey.example.com. TXT "v=DKIM1; k=rsa; p="\n')
    z.write('garbage._domainkey.example.com. TXT "v=DKIM1; k=rsa; p=AAAA"\n')
    z.write('pkcs1._domainkey.example.com. TXT %s\n' % txt('v=DKIM1; k=rsa; p=' + pkcs1))
    z.write('slow._domainkey.example.com. TIMEOUT\n')

msg = (b'From: Alice <alice@example.com>\r\nTo: bob@example.net\r\n'
       b'Subject: hello\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n'
       b'Message-ID: <1@example.com>\r\n\r\nHello Bob,\r\n\r\nthe body.\r\n')
H = [b'from', b'to', b'subject', b'date', b'message-id']


def sign(m, sel, key, alg=b'rsa-sha256', canon=(b'relaxed', b'relaxed'), length=False):
    return dkim.sign(m, sel, b'example.com', key, canonicalize=canon,
                     signature_algorithm=alg, include_headers=H, length=length) + m


def sign_times(m, sel, key, t, x):
    """rsa-sha256 relaxed/relaxed with t= and x= of our choosing.

    dkimpy 1.1 (Debian 12) sets t= to now and has no x= parameter, so the
    tag list is built here, as DKIM.sign builds it, and signed by dkimpy's
    own DKIM.gen_header."""
    d = dkim.DKIM(m)
    d.signature_algorithm = b'rsa-sha256'
    d.hasher = hashlib.sha256
    canon = dkim.CanonicalizationPolicy.from_c_value(b'relaxed/relaxed')
    bh = base64.b64encode(hashlib.sha256(canon.canonicalize_body(d.body)).digest())
    fields = [(b'v', b'1'), (b'a', b'rsa-sha256'), (b'c', b'relaxed/relaxed'),
              (b'd', b'example.com'), (b'i', b'@example.com'), (b'q', b'dns/txt'),
              (b's', sel), (b't', str(t).encode()), (b'x', str(x).encode()),
              (b'h', b' : '.join(H)), (b'bh', bh), (b'b', b'0' * 60)]
    pk = dkim.crypto.parse_pem_private_key(key)
    return b'DKIM-Signature: ' + d.gen_header(fields, H, canon, b'DKIM-Signature', pk) + m


def out(name, data):
    open(name + '.eml', 'wb').write(data)


now = int(time.time())
out('rsa_relaxed', sign(msg, b'rsa', r2k))
out('garbage_key', sign(msg, b'garbage', r2k))
out('pkcs1_key', sign(msg, b'pkcs1', r2k))
out('rsa_simple', sign(msg, b'rsa', r2k, canon=(b'simple', b'simple')))
out('ed25519', sign(msg, b'ed', e, alg=b'ed25519-sha256'))
out('body_changed', sign(msg, b'rsa', r2k).replace(b'the body.', b'the b0dy.'))
out('header_changed', sign(msg, b'rsa', r2k).replace(b'Subject: hello', b'Subject: hellO'))
out('ed25519_body_changed',
    sign(msg, b'ed', e, alg=b'ed25519-sha256').replace(b'the body.', b'the b0dy.'))
out('missing_key', sign(msg, b'nokey', r2k))
out('timeout_key', sign(msg, b'slow', r2k))
out('small_key', sign(msg, b'small', r512))
out('revoked_key', sign(msg, b'revoked', r2k))
out('rsa_sha1', sign(msg, b'rsa', r2k, alg=b'rsa-sha1'))
out('length', sign(msg, b'rsa', r2k, length=True) + b'appended by a list\r\n')
# Signed two days ago, expired yesterday; and its control, expiring tomorrow.
out('expired', sign_times(msg, b'rsa', r2k, now - 2 * 86400, now - 86400))
out('not_expired', sign_times(msg, b'rsa', r2k, now - 2 * 86400, now + 86400))
two = sign(sign(msg, b'rsa', r2k), b'ed', e, alg=b'ed25519-sha256')
out('two_sigs', two)
out('pass_and_timeout', sign(sign(msg, b'slow', r2k), b'rsa', r2k))
many = msg
for i in range(7):
    many = sign(many, b'rsa', r2k)
out('seven_sigs', many)
