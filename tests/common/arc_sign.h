/*
 * arc_sign.h - ARC chains sealed during the test by an independent sealer,
 * Debian's python3-dkim (dkimpy), through tests/common/arc_sign.py: keys
 * made by openssl, their public halves as zone-file lines and as a whole
 * zone for nsd, one .eml file per case, and dkimpy's own verdict on each
 * (oracle.tsv).  Used by tests/unit/test_arc.  Single-threaded.
 */
#ifndef AUTHMILTER_ARC_SIGN_H
#define AUTHMILTER_ARC_SIGN_H

/*
 * arc_sign_python - dkim_sign_python() when it also has python3-authres
 * (dkimpy's ARC sealer needs it), else NULL.
 */
const char *arc_sign_python(void);

/*
 * arc_sign_generate - run arc_sign.py with python (arc_sign_python()) in
 * dir (which exists): dir/zone (absolute names under example.com., one
 * "slow._domainkey.hop1.example.com. TIMEOUT" line for the resolver's
 * zone-file mode), dir/nsd.zone (the zone example.com for nsd), dir/NAME.eml
 * per case and dir/oracle.tsv (arc_sign.py describes them).  Returns 0, or
 * -1 when the sealer failed or dkimpy disagreed with an expectation.
 */
int arc_sign_generate(const char *python, const char *dir);

#endif
