package dev.ferrymta.relay.dkim;

import dev.ferrymta.relay.mail.Domain;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A key ready to sign: the domain and selector it signs for ({@code d=}, {@code s=}), the parsed
 * private key and its algorithm, and how it signs (canonicalization, headers, expiry).
 *
 * @param domain           {@code d=}
 * @param selector         {@code s=}
 * @param key              the private key (RSA or Ed25519)
 * @param algorithm        {@code rsa-sha256} or {@code ed25519-sha256}
 * @param headerCanon      the header canonicalization
 * @param bodyCanon        the body canonicalization
 * @param headers          header names to sign, lower case; empty: the default set
 * @param expire           how long after signing the signature expires ({@code x=}); empty: never
 * @param expiresAt        when the signature expires, a fixed time ({@code x=}, MailerQ's
 *                         {@code "expire": "YYYY-MM-DD HH:MM:SS"}); a key past it no longer signs
 */
public record SigningKey(Domain domain, String selector, PrivateKey key, Algorithm algorithm, Canonicalization headerCanon,
        Canonicalization bodyCanon, List<String> headers, Optional<Duration> expire, Optional<java.time.Instant> expiresAt) {

    /** A key whose signatures expire, if at all, a while after signing. */
    public SigningKey(Domain domain, String selector, PrivateKey key, Algorithm algorithm, Canonicalization headerCanon,
            Canonicalization bodyCanon, List<String> headers, Optional<Duration> expire) {
        this(domain, selector, key, algorithm, headerCanon, bodyCanon, headers, expire, Optional.empty());
    }

    /** The DKIM signing algorithms Ferry uses. */
    public enum Algorithm {
        /** RSA with SHA-256 (RFC 6376). */
        RSA_SHA256("rsa-sha256"),
        /** Ed25519 over the SHA-256 hash (RFC 8463). */
        ED25519_SHA256("ed25519-sha256");

        private final String tag;

        Algorithm(String tag) {
            this.tag = tag;
        }

        /** The name in {@code a=}. */
        public String tag() {
            return tag;
        }
    }

    public SigningKey {
        headers = headers.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * Parses a PKCS#8 PEM private key, RSA (at least 1,024 bits) or Ed25519, with relaxed/relaxed,
     * the default headers and no expiry.
     *
     * @throws IllegalArgumentException saying what is wrong with the key, never the key itself
     */
    public static SigningKey parse(Domain domain, String selector, String pem) {
        var text = pem.strip();
        var begin = "-----BEGIN PRIVATE KEY-----";
        var end = "-----END PRIVATE KEY-----";
        if (!text.startsWith(begin) || !text.endsWith(end)) {
            throw new IllegalArgumentException("the key must be a PKCS#8 PEM private key ('" + begin + "'); convert one with: "
                    + "openssl pkcs8 -topk8 -nocrypt -in key.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin.length(), text.length() - end.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key is not valid base64 between its PEM markers");
        }
        var spec = new PKCS8EncodedKeySpec(der);
        try {
            var rsa = KeyFactory.getInstance("RSA").generatePrivate(spec);
            if (((RSAPrivateKey) rsa).getModulus().bitLength() < 1024) {
                throw new IllegalArgumentException("the RSA key has fewer than 1,024 bits");
            }
            return new SigningKey(domain, selector, SignatureProvider.translate(rsa), Algorithm.RSA_SHA256, Canonicalization.RELAXED, Canonicalization.RELAXED,
                    List.of(), Optional.empty());
        } catch (GeneralSecurityException notRsa) {
            // Ed25519 below.
        }
        try {
            var ed = KeyFactory.getInstance("Ed25519").generatePrivate(spec);
            return new SigningKey(domain, selector, SignatureProvider.translate(ed), Algorithm.ED25519_SHA256, Canonicalization.RELAXED, Canonicalization.RELAXED,
                    List.of(), Optional.empty());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key is neither an RSA nor an Ed25519 private key");
        }
    }

    /** The same key with other signing choices. */
    public SigningKey with(Canonicalization header, Canonicalization body, List<String> signedHeaders, Optional<Duration> expiry) {
        return new SigningKey(domain, selector, key, algorithm, header, body, signedHeaders, expiry, expiresAt);
    }

    /** The same key, its signatures expiring at a fixed time. */
    public SigningKey expiringAt(java.time.Instant at) {
        return new SigningKey(domain, selector, key, algorithm, headerCanon, bodyCanon, headers, Optional.empty(), Optional.of(at));
    }

    /** Whether the key may still sign at {@code now}: not past a fixed expiry. */
    public boolean signsAt(java.time.Instant now) {
        return expiresAt.map(now::isBefore).orElse(true);
    }

    /** Keeps the private key out of logs. */
    @Override
    public String toString() {
        return "SigningKey[d=" + domain + ", s=" + selector + ", a=" + algorithm.tag() + "]";
    }
}
