package dev.ferrymta.relay.dkim;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where DKIM's RSA and Ed25519 signatures are computed: the Amazon Corretto Crypto Provider (AWS-LC
 * in native code) when its library loads and passes its self-tests, the JDK's own providers
 * otherwise (another platform than linux-x86_64, a JVM that refuses native code). Both give the
 * same bytes (RSASSA-PKCS1-v1_5 and PureEdDSA are deterministic); the native one signs RSA-2048
 * about 3.5 times and Ed25519 about 50 times faster on the benchmark machine (ADR 0010,
 * docs/BENCHMARKS.md). Only DKIM uses it: TLS and everything else stay on the JDK's providers.
 */
public final class SignatureProvider {

    private static final Logger log = LoggerFactory.getLogger(SignatureProvider.class);
    private static final Choice CHOICE = choose();

    private record Choice(Optional<Provider> provider, String description) {
    }

    private SignatureProvider() {
    }

    /** For logs and the console, for example "native (AmazonCorrettoCryptoProvider 2.5.0)". */
    public static String description() {
        return CHOICE.description();
    }

    /** Whether signatures are computed in native code. */
    public static boolean isNative() {
        return CHOICE.provider().isPresent();
    }

    /**
     * A signature engine for a JCA algorithm name ("SHA256withRSA", "Ed25519").
     *
     * @throws NoSuchAlgorithmException when neither provider has it
     */
    static Signature signature(String algorithm) throws NoSuchAlgorithmException {
        if (CHOICE.provider().isPresent()) {
            try {
                return Signature.getInstance(algorithm, CHOICE.provider().get());
            } catch (NoSuchAlgorithmException notThere) {
                // The JDK's below.
            }
        }
        return Signature.getInstance(algorithm);
    }

    /**
     * The key in the provider's own form, so that it is converted once, when the settings are
     * loaded, not at every signature. The key itself when the provider cannot take it.
     */
    static PrivateKey translate(PrivateKey key) {
        if (CHOICE.provider().isEmpty()) {
            return key;
        }
        try {
            Key translated = KeyFactory.getInstance(key.getAlgorithm(), CHOICE.provider().get()).translateKey(key);
            return translated instanceof PrivateKey p ? p : key;
        } catch (GeneralSecurityException | RuntimeException e) {
            return key;
        }
    }

    private static Choice choose() {
        if (Boolean.getBoolean("ferry.dkim.jdk-signatures")) {
            return new Choice(Optional.empty(), "the JDK's (ferry.dkim.jdk-signatures is set)");
        }
        try {
            var accp = AmazonCorrettoCryptoProvider.INSTANCE;
            var loadingError = accp.getLoadingError();
            if (loadingError != null) {
                return jdk("the native provider did not load: " + loadingError);
            }
            accp.assertHealthy();
            return new Choice(Optional.of(accp), "native (" + accp.getName() + " " + accp.getVersionStr() + ")");
        } catch (Throwable e) { // LinkageError, UnsatisfiedLinkError, a failed self-test
            return jdk("the native provider is not usable: " + e);
        }
    }

    private static Choice jdk(String why) {
        log.info("DKIM signatures use the JDK's providers; {}", why);
        return new Choice(Optional.empty(), "the JDK's (" + why + ")");
    }
}
