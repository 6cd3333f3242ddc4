package dev.ferrymta.bench;

import dev.ferrymta.relay.dkim.DkimSigner;
import dev.ferrymta.relay.dkim.SigningKey;
import dev.ferrymta.relay.mail.Domain;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * What one DKIM signature costs Ferry: signs the same message with an RSA-2048 key, an Ed25519
 * key, and both, many times on one thread after a warm-up, and prints microseconds per signed
 * message. CPU only, no I/O: the cost the signing adds to each delivery.
 *
 *   java -cp ... dev.ferrymta.bench.SignCost [--messages N] [--bytes B]
 */
public final class SignCost {

    private SignCost() {
    }

    public static void main(String[] args) throws Exception {
        int messages = 20_000;
        int bytes = 2048;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--bytes" -> bytes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        var header = "From: News <news@bench.example>\r\nTo: someone@sink.example\r\nSubject: a benchmark message\r\n"
                + "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\nMessage-ID: <1@bench.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
        var line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
        var body = new StringBuilder();
        while (header.length() + body.length() < bytes) {
            body.append(line);
        }
        var message = (header + body).getBytes(StandardCharsets.US_ASCII);
        var rsa = key("RSA", "rsa");
        var ed = key("Ed25519", "ed");
        System.out.printf("DKIM signing cost, %d messages of %d bytes, one thread (Java %s)%n", messages, message.length,
                Runtime.version());
        System.out.println("signatures: " + dev.ferrymta.relay.dkim.SignatureProvider.description());
        for (var run : List.of(List.of(rsa), List.of(ed), List.of(rsa, ed))) {
            var names = String.join(" + ", run.stream().map(k -> k.algorithm().tag()).toList());
            time(message, run, Math.max(1_000, messages / 5)); // warm-up, not reported
            double micros = time(message, run, messages);
            System.out.printf("%-30s %8.1f us per message, %8.0f messages/s%n", names, micros, 1_000_000 / micros);
        }
    }

    private static double time(byte[] message, List<SigningKey> keys, int count) {
        long started = System.nanoTime();
        int length = 0;
        for (int i = 0; i < count; i++) {
            length += DkimSigner.sign(message, keys, Instant.ofEpochSecond(1_800_000_000L + i)).message().length;
        }
        if (length == 0) {
            throw new IllegalStateException("nothing was signed");
        }
        return (System.nanoTime() - started) / 1_000.0 / count;
    }

    private static SigningKey key(String algorithm, String selector) throws Exception {
        var generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        var pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        return SigningKey.parse(Domain.parse("bench.example"), selector, pem);
    }
}
