package dev.ferrymta.testing.broker;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the RabbitMQ tools ({@code rabbitmqctl}, {@code dev/rabbitmq-cluster}) for the broker fixtures. */
final class Commands {

    private Commands() {
    }

    /**
     * Runs {@code command} and returns what it printed (standard output and error, stripped).
     * The output goes to a file in {@code scratch}, not a pipe: {@code rabbitmqctl} may outlive a
     * command we gave up on, and would hold a pipe open long after.
     *
     * @throws IOException when it fails (its exit status and output in the message) or takes longer than {@code timeout}
     */
    static String run(List<String> command, Duration timeout, Path scratch, String prefix) throws IOException, InterruptedException {
        var outputFile = Files.createTempFile(scratch, prefix, ".out");
        try {
            var process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            var output = Files.readString(outputFile, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(outputFile);
        }
    }
}
