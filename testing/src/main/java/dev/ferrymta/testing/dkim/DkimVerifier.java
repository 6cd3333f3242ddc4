package dev.ferrymta.testing.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Checks DKIM signatures with an independent implementation: dkimpy (Debian's
 * {@code python3-dkim}, which {@code dev/test} installs), run as a process, looking the public
 * keys up through a DNS server the test names (a {@code DnsResponder}).
 *
 * <pre>{@code
 * var verdict = DkimVerifier.verify(message, dns.address().getAddress().getHostAddress(), dns.port());
 * assertThat(verdict.passed()).as(verdict.lines().toString()).isTrue();
 * }</pre>
 */
public final class DkimVerifier {

    private static final long SECONDS = 60;

    private DkimVerifier() {
    }

    /**
     * What dkimpy said.
     *
     * @param exitCode 0 every signature passed, 1 one failed, 2 there was none
     * @param lines    one per signature: {@code pass d=... s=...} or {@code fail ...}
     */
    public record Verdict(int exitCode, List<String> lines) {
        public boolean passed() {
            return exitCode == 0;
        }
    }

    /** Verifies every DKIM-Signature of {@code message}. */
    public static Verdict verify(byte[] message, String dnsHost, int dnsPort) throws IOException, InterruptedException {
        var script = Files.createTempFile("ferry-dkim-verify", ".py");
        try (InputStream in = DkimVerifier.class.getResourceAsStream("verify.py")) {
            if (in == null) {
                throw new IOException("verify.py is missing from the test fixtures");
            }
            Files.write(script, in.readAllBytes());
            var process = new ProcessBuilder(python(), script.toString(), dnsHost, Integer.toString(dnsPort))
                    .redirectErrorStream(true).start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(message);
            }
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("dkimpy did not finish within " + SECONDS + " s");
            }
            if (output.contains("No module named")) {
                throw new IOException("dkimpy is not installed (apt-get install python3-dkim python3-dnspython python3-nacl): " + output);
            }
            return new Verdict(process.exitValue(), output.lines().toList());
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** Debian's python3, which has python3-dkim; any python3 on the PATH otherwise. */
    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
