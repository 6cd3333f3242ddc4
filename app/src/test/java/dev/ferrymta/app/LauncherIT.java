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

    /**
     * A run that fails (here a missing config file, exit 2) leaves no class cache for the next
     * start: the JVM writes what it made at any exit, and the launcher keeps it only after a clean
     * stop. {@code --version} neither makes nor uses one.
     */
    @Test
    void keepsNoClassCacheFromARunThatFailed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        for (int run = 1; run <= 2; run++) {
            var output = failingRun(cache);
            // FERRY_CACHE_DIR is the launcher's: the instance must not take it for a config key.
            assertThat(output).contains("ferry: config:").doesNotContain("cache-dir");
            try (var files = java.nio.file.Files.list(cache)) {
                assertThat(files.map(path -> path.getFileName().toString()))
                        .noneMatch(name -> name.endsWith(".clean"))
                        .noneMatch(name -> name.matches("ferry-.*-[0-9]+-[0-9]+\\.(aot|jsa)"));
            }
        }

        var version = new ProcessBuilder("./ferry", "--version").directory(FerryProcess.ROOT.toFile()).redirectErrorStream(true);
        version.environment().put("FERRY_CACHE_DIR", cache.resolve("version").toString());
        var process = version.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).isEqualTo("ferry " + FerryVersion.current() + "\n");
        assertThat(cache.resolve("version")).doesNotExist();
    }

    /**
     * What a run made is taken as the class cache at the next start only when that run said it
     * stopped cleanly; from then on starts use it and make no other. (The clean stop itself, by
     * an instance with a broker and a database, is simulated by the marker file Ferry writes.)
     */
    @Test
    void takesWhatARunMadeAsTheClassCacheOnceThatRunStoppedCleanly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache)
            throws Exception {
        failingRun(cache);
        var made = files(cache).stream().filter(name -> name.contains(".made.")).findFirst();
        if (made.isEmpty()) {
            return; // a JDK without a class cache the launcher uses (older than 21, OpenJ9): nothing to check
        }
        var stem = made.get().substring(0, made.get().indexOf(".made."));
        var kind = made.get().substring(made.get().lastIndexOf('.'));
        java.nio.file.Files.writeString(cache.resolve(stem + ".clean"), "stopped cleanly\n");

        failingRun(cache);
        assertThat(files(cache)).contains(stem + kind).noneMatch(name -> name.contains(".made.") || name.endsWith(".clean")
                || name.endsWith(".making"));
        var cached = java.nio.file.Files.getLastModifiedTime(cache.resolve(stem + kind));

        failingRun(cache);
        assertThat(files(cache)).containsExactly(stem + kind);
        assertThat(java.nio.file.Files.getLastModifiedTime(cache.resolve(stem + kind))).isEqualTo(cached);
    }

    /** FERRY_JVM_CACHE_TRAINING is the launcher's: a value that is not a whole number stops it, naming it (docs/adr/0018). */
    @Test
    void refusesATrainingCountThatIsNotAWholeNumber(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        for (var bad : java.util.List.of("ten", "-1", "1e4", "10 000", "99999999999999999999")) {
            // A config file that is missing: should the value pass, the run still ends at once (exit 2, another line).
            var builder = new ProcessBuilder("./ferry", "--config", "/nonexistent/ferry.conf").directory(FerryProcess.ROOT.toFile())
                    .redirectErrorStream(true);
            builder.environment().put("FERRY_CACHE_DIR", cache.toString());
            builder.environment().put("FERRY_JVM_CACHE_TRAINING", bad);
            var process = builder.start();
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isEqualTo(2);
            assertThat(output).isEqualTo("ferry: FERRY_JVM_CACHE_TRAINING must be a whole number of outbox messages "
                    + "(0 keeps the class cache of any clean stop), not '" + bad + "'\n");
        }
        assertThat(files(cache)).isEmpty();
    }

    /**
     * FERRY_CACHE_DIR, FERRY_JVM_CACHE and FERRY_JVM_CACHE_TRAINING are the launcher's: Ferry takes
     * other FERRY_* variables as config keys and refuses unknown ones first, so a leak would be the
     * error it reports instead of the bad port.
     */
    @Test
    void theLaunchersOwnVariablesAreNotConfigKeys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) throws Exception {
        var builder = new ProcessBuilder("./ferry", "--config", "config.sample", "--www-port=x").directory(FerryProcess.ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().put("FERRY_CACHE_DIR", cache.toString());
        builder.environment().put("FERRY_JVM_CACHE", "on");
        builder.environment().put("FERRY_JVM_CACHE_TRAINING", "5");
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("ferry: config: www-port: 'x'").doesNotContain("unknown key").doesNotContain("cache-dir")
                .doesNotContain("jvm-cache-training");
    }

    /** {@code ./ferry} with a config file that is missing (exit 2), with this class cache directory; returns its output. */
    private static String failingRun(java.nio.file.Path cache) throws Exception {
        var builder = new ProcessBuilder("./ferry", "--config", "/nonexistent/ferry.conf").directory(FerryProcess.ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().put("FERRY_CACHE_DIR", cache.toString());
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        return output;
    }

    private static java.util.List<String> files(java.nio.file.Path dir) throws Exception {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
