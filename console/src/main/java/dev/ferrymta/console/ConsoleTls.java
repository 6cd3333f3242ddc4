package dev.ferrymta.console;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The console's HTTPS identity, from {@code www-certificate} (a PEM file: the certificate, then any
 * intermediates) and {@code www-key} (a PEM file: an unencrypted PKCS#8 private key, RSA, EC or
 * Ed25519, {@code -----BEGIN PRIVATE KEY-----}). Loaded once at start; a file that is missing or
 * unreadable stops the start with a message naming it.
 *
 * @param context the server's TLS context
 * @param subject the certificate's subject, for the log
 */
public record ConsoleTls(SSLContext context, String subject) {

    private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final String END_KEY = "-----END PRIVATE KEY-----";

    /**
     * Loads the certificate chain and the key.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ConsoleTls load(Path certificateFile, Path keyFile) {
        List<? extends Certificate> chain;
        try {
            var bytes = Files.readAllBytes(certificateFile);
            chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the certificate " + certificateFile + ": " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certificateFile + " holds no PEM certificate");
        }
        var key = privateKey(keyFile);
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("console", key, new char[0], chain.toArray(Certificate[]::new));
            var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            var context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            var subject = chain.getFirst() instanceof java.security.cert.X509Certificate x509
                    ? x509.getSubjectX500Principal().getName() : chain.getFirst().getType();
            return new ConsoleTls(context, subject);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the key " + keyFile + " does not go with the certificate " + certificateFile
                    + ": " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path keyFile) {
        String text;
        try {
            text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the key " + keyFile + ": " + e.getMessage());
        }
        int begin = text.indexOf(BEGIN_KEY);
        int end = text.indexOf(END_KEY);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(keyFile + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN_KEY.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(keyFile + " is not valid PEM: " + e.getMessage());
        }
        for (var algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(keyFile + " holds a key that is neither RSA, EC nor Ed25519");
    }
}
