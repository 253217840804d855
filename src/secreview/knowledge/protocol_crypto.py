"""Protocols and formats whose specification fixes a weak hash or cipher: the code implements them, it
does not choose the algorithm.

A digest or cipher that implements one of these is explained as what the protocol mandates and is never
shown by default (nor at medium confidence in the audit profile): the fix is to prefer or offer a newer
protocol version, not to change the algorithm, which breaks interoperability.  Each entry lists word
combinations (as `vocabulary.words` splits names: `tcp_verify_signature` -> tcp, verify, signature) of
which one must appear among the words around the use: its function, class, file path and the names its
value flows into.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from secreview.knowledge.vocabulary import words


@dataclass(frozen=True)
class MandatedBy:
    name: str                                 # the protocol or format, for the finding's text
    requires: str                             # what it mandates
    words: tuple[frozenset[str], ...]         # any one of these word sets marks the context


def _protocol(name: str, requires: str, *combinations: str) -> MandatedBy:
    return MandatedBy(name, requires, tuple(frozenset(c.split()) for c in combinations))


PROTOCOLS: tuple[MandatedBy, ...] = (
    _protocol("NTLM (MS-NLMP)", "MD4, MD5/HMAC-MD5 and DES", "ntlm", "ntlmv1", "ntlmv2", "nt hash", "lm hash",
              "lmhash", "nthash"),
    _protocol("HTTP Digest authentication (RFC 7616)", "MD5 for the default algorithm", "digest auth",
              "http digest", "digest authentication", "www authenticate", "digestauth", "authdigest"),
    _protocol("SASL DIGEST-MD5 / CRAM-MD5 / APOP", "MD5 and HMAC-MD5", "cram", "apop", "sasl", "digest md5"),
    _protocol("SCRAM-SHA-1 (RFC 5802)", "SHA-1 and HMAC-SHA-1", "scram"),
    _protocol("HOTP/TOTP (RFC 4226/6238)", "HMAC-SHA-1 by default", "totp", "hotp", "otp"),
    _protocol("OAuth 1.0 HMAC-SHA1 signatures (RFC 5849)", "HMAC-SHA-1", "oauth", "oauth1"),
    _protocol("the WebSocket handshake (RFC 6455)", "SHA-1 for Sec-WebSocket-Accept", "websocket",
              "sec websocket"),
    _protocol("SSH (RFC 4253/4252)", "SHA-1 and MD5 in legacy key exchange, MACs, signatures and fingerprints",
              "ssh", "kex", "sshd", "hostkey", "hostkeys", "known hosts"),
    _protocol("TCP MD5 signatures (RFC 2385)", "MD5", "tcp signature", "tcp md5", "tcpmd5", "tcp sig"),
    _protocol("routing-protocol authentication (IS-IS, OSPF, RSVP, BGP, VRRP, RIP, LDP, BFD)",
              "keyed MD5 or HMAC-MD5", "isis", "ospf", "rsvp", "bgp", "vrrp", "rip", "ldp", "bfd", "hncp",
              "babel", "carp", "eigrp", "pim", "olsr"),
    _protocol("RADIUS / TACACS+ / SNMPv3 USM", "MD5 (and HMAC-MD5/SHA-1 in SNMP)", "radius", "tacacs",
              "snmp", "usm"),
    _protocol("IPsec / IKE, PPP CHAP/MS-CHAP, Kerberos RC4-HMAC, WPA/802.11 key derivation",
              "MD5, SHA-1, DES or RC4 in their legacy suites", "ipsec", "ike", "isakmp", "esp", "chap",
              "mschap", "mppe", "ppp", "l2tp", "kerberos", "krb", "krb5", "eapol", "wpa", "wep", "ntp", "dhcp"),
    _protocol("TLS 1.0/1.1 and SSLv3 PRFs and cipher suites", "MD5 and SHA-1", "tls prf", "ssl3", "sslv3",
              "tls1", "tlsv1"),
    _protocol("archive and package formats (ZIP/WinZip AES, XAR, mtree, RAR, 7-Zip, ISO, CAB, RPM)",
              "MD5/SHA-1 entry checksums, PBKDF2-HMAC-SHA-1 and HMAC-SHA-1, and AES-ECB as the CTR block "
              "primitive", "zip", "winzip", "xar", "mtree", "rar", "7zip", "iso9660", "cab", "rpm", "cryptor",
              "archive digest", "archive hmac"),
    _protocol("version-control object ids (Git, Mercurial)", "SHA-1", "git", "hg", "mercurial", "commit sha",
              "object id", "oid"),
    _protocol("name-based UUIDs (RFC 4122 versions 3 and 5)", "MD5 and SHA-1", "uuid3", "uuid5"),
    _protocol("an HMAC construction (RFC 2104) as the protocols dissected or spoken here define it",
              "MD5 or SHA-1 inside HMAC, whose security does not rest on collision resistance", "hmac"),
    _protocol("content identifiers (ETags, cache keys, Content-MD5, fingerprints of public data)",
              "no collision resistance from its digest", "etag", "cache key", "content md5", "checksum", "fingerprint",
              "gravatar", "dedup", "bucket", "shard"),
)


def protocol_around(path: str, names: Iterable[str]) -> MandatedBy | None:
    """The protocol mandating a weak primitive used in the file at `path` among `names` (the enclosing
    functions and classes, the names its value flows into): `print-tcp.c` + `tcp_verify_signature`."""
    parts = [part for part in re.split(r"[/\\.-]", path) if part]
    return mandating_protocol({word for name in [*parts, *names] for word in words(name)})


def mandating_protocol(context: Iterable[str]) -> MandatedBy | None:
    """The protocol or format whose words all appear in `context` (lower-case words), if any."""
    present = set(context)
    return next((p for p in PROTOCOLS if any(combination <= present for combination in p.words)), None)


def mandated_note(protocol: MandatedBy, algorithm: str) -> str:
    """The paragraph a weak-crypto finding carries when a protocol mandates the algorithm."""
    return (f"Here {algorithm} implements {protocol.name}, which mandates {protocol.requires}: the code "
            f"follows the specification rather than choosing a weak algorithm, and replacing it breaks "
            f"interoperability. What a reviewer can ask for is a newer protocol version or mode where one "
            f"exists, and that this legacy one is not enabled by default.")
