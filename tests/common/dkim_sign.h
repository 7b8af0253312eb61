/*
 * dkim_sign.h - messages signed during the test by an independent signer,
 * Debian's python3-dkim (dkimpy), through tests/common/dkim_sign.py: keys
 * made by openssl, their public halves as zone-file lines, one .eml file per
 * test message.  Used by tests/unit/test_dkim and tests/stress/stress.
 * Single-threaded.
 */
#ifndef AUTHMILTER_DKIM_SIGN_H
#define AUTHMILTER_DKIM_SIGN_H

/*
 * dkim_sign_python - the Python interpreter that has dkimpy and PyNaCl
 * (needed for Ed25519), or NULL when there is none or openssl is missing.
 */
const char *dkim_sign_python(void);

/*
 * dkim_sign_generate - run dkim_sign.py with python in dir (which exists):
 * dir/zone holds the key records (absolute names under example.com., and
 * one "slow._domainkey.example.com. TIMEOUT" line for the resolver's
 * zone-file mode), dir/NAME.eml the messages (dkim_sign.py lists them).
 * Returns 0, or -1 when the signer failed.
 */
int dkim_sign_generate(const char *python, const char *dir);

#endif
