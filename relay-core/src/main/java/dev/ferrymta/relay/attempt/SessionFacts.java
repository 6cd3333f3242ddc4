package dev.ferrymta.relay.attempt;

import java.time.Instant;
import java.util.Optional;

/**
 * What an attempt learned of the SMTP session it went over, for the results as MailerQ writes
 * them (its "Result message queues" documentation): {@code messages}, {@code dsn}, and for a TLS
 * session {@code cipher} and {@code certificate}.
 *
 * @param messages how many messages this connection has carried, this one included
 * @param dsn      whether the server offered DSN (RFC 3461) in its EHLO answer
 * @param tls      the TLS session, when STARTTLS succeeded
 * @param authentication the SMTP AUTH mechanism the session logged in with ({@code PLAIN},
 *                 {@code LOGIN}), for a message sent through its smarthost with a login
 */
public record SessionFacts(int messages, boolean dsn, Optional<Tls> tls, Optional<String> authentication) {

    /** A session without AUTH. */
    public SessionFacts(int messages, boolean dsn, Optional<Tls> tls) {
        this(messages, dsn, tls, Optional.empty());
    }

    /**
     * A TLS session and the certificate the server presented.
     *
     * @param cipher    the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
     * @param version   the protocol, e.g. {@code TLSv1.3}
     * @param bits      the symmetric key length the suite uses, 0 when unknown
     * @param subject   the certificate's subject distinguished name (RFC 4514)
     * @param issuer    the certificate's issuer distinguished name
     * @param notBefore the start of its validity
     * @param notAfter  the end of its validity
     * @param verified  whether the chain and the host name were verified ({@code security: verified});
     *                  false when the certificate was taken as it came (opportunistic or required TLS)
     */
    public record Tls(String cipher, String version, int bits, String subject, String issuer, Instant notBefore,
            Instant notAfter, boolean verified) {

        /** The symmetric key length named in a cipher suite: {@code AES_128} is 128, {@code CHACHA20} 256; 0 when none is named. */
        public static int bitsOf(String cipherSuite) {
            if (cipherSuite.contains("AES_256") || cipherSuite.contains("CHACHA20")) {
                return 256;
            }
            if (cipherSuite.contains("AES_128")) {
                return 128;
            }
            return cipherSuite.contains("3DES") ? 112 : 0;
        }
    }
}
