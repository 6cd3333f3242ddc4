package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.FerryVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code ./ferry} script: finds a JDK 21+ by itself and runs the jar. */
class LauncherIT {

    @Test
    void printsTheVersionWithOnlyAnOldJdkInJavaHome() throws Exception {
        var builder = new ProcessBuilder("./ferry", "--version").directory(FerryProcess.ROOT.toFile()).redirectErrorStream(true);
        // A JAVA_HOME that is too old (or absent) must not stop it: it looks under /usr/lib/jvm.
        builder.environment().put("JAVA_HOME", "/nonexistent-jdk");
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).endsWith("ferry " + FerryVersion.current() + "\n");
    }
}
