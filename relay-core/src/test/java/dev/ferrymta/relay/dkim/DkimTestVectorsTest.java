package dev.ferrymta.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Ed25519 example of RFC 8463 (appendix A): its message, its key and its published
 * signatures. Our canonicalization and our "Ed25519 over the SHA-256 of the header data" must
 * reproduce the body hash and make the RFC's signature verify with the RFC's public key.
 */
class DkimTestVectorsTest {

    /** RFC 8463 A.2: the public key. */
    private static final String PUBLIC_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /** RFC 8463 A.1 (the example message of RFC 6376 appendix A). */
    private static final String MESSAGE = """
            From: Joe SixPack <joe@football.example.com>\r
            To: Suzie Q <suzie@shopping.example.net>\r
            Subject: Is dinner ready?\r
            Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
            Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
            \r
            Hi.\r
            \r
            We lost the game.  Are you hungry yet?\r
            \r
            Joe.\r
            """;

    /**
     * The signature field as published, with an empty b= value: each line ends in a space before
     * its CRLF and continues with one, which simple canonicalization signs as it stands.
     */
    private static String field(String canon, String t, String bh, String b) {
        return "DKIM-Signature: v=1; a=ed25519-sha256; c=" + canon + "; \r\n"
                + " d=football.example.com; i=@football.example.com; \r\n"
                + " q=dns/txt; s=brisbane; t=" + t + "; h=from : to : \r\n"
                + " subject : date : message-id : from : subject : date; \r\n"
                + " bh=" + bh + "; \r\n"
                + " b=" + b + "\r\n";
    }

    @ParameterizedTest
    @CsvSource({
            // RFC 8463 A.3, relaxed/relaxed.
            "relaxed/relaxed, 1528637909, 2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=, "
                    + "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
            // The same message and key, simple/simple (dkimpy's copy of the example).
            "simple/simple, 1518460054, 4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=, "
                    + "9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YBo0wBLR++X5LqmsxXaOYLLJe46l10AQ==",
    })
    void theRfc8463ExampleHashesAndVerifies(String canon, String t, String bodyHash, String b) throws Exception {
        var parts = canon.split("/");
        var header = Canonicalization.parse(parts[0]);
        var body = Canonicalization.parse(parts[1]);
        var message = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        int split = DkimSigner.headerEnd(message);
        var bodyBytes = Arrays.copyOfRange(message, split + 2, message.length);

        assertThat(Base64.getEncoder().encodeToString(DkimSigner.sha256(body.body(bodyBytes)))).isEqualTo(bodyHash);

        var fields = DkimSigner.fields(Arrays.copyOfRange(message, 0, split));
        var signed = List.of("from", "to", "subject", "date", "message-id", "from", "subject", "date");
        var withoutB = field(canon, t, bodyHash, "").getBytes(StandardCharsets.US_ASCII);
        var data = DkimSigner.headerData(fields, signed, withoutB, header);

        var verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey(PUBLIC_KEY));
        verifier.update(DkimSigner.sha256(data));
        assertThat(verifier.verify(Base64.getDecoder().decode(b))).isTrue();

        // Ed25519 is deterministic: our signer, with the RFC's private key (A.2), makes the RFC's b=.
        var pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
        var key = SigningKey.parse(dev.ferrymta.relay.mail.Domain.parse("football.example.com"), "brisbane", pem);
        assertThat(Base64.getEncoder().encodeToString(DkimSigner.signature(key, data))).isEqualTo(b);
    }

    /** A raw 32-byte Ed25519 public key (RFC 8032 encoding) as a JDK key. */
    private static java.security.PublicKey publicKey(String base64) throws Exception {
        var raw = Base64.getDecoder().decode(base64);
        boolean xOdd = (raw[31] & 0x80) != 0;
        var yBytes = raw.clone();
        yBytes[31] &= 0x7f;
        // Little-endian to big-endian for BigInteger.
        for (int i = 0; i < yBytes.length / 2; i++) {
            var swap = yBytes[i];
            yBytes[i] = yBytes[yBytes.length - 1 - i];
            yBytes[yBytes.length - 1 - i] = swap;
        }
        var point = new EdECPoint(xOdd, new BigInteger(1, yBytes));
        return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }
}
