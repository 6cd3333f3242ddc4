package dev.ferrymta.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --key value} arguments; a key may repeat. Bad input ends the program with status 2. */
final class Args {

    private final String program;
    private final Map<String, List<String>> values = new HashMap<>();

    private Args(String program) {
        this.program = program;
    }

    static Args parse(String program, String[] args, Set<String> known) {
        var parsed = new Args(program);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !known.contains(arg.substring(2))) {
                throw parsed.usage("unknown argument '" + arg + "'; known: --" + String.join(", --", known));
            }
            if (i + 1 >= args.length) {
                throw parsed.usage(arg + " needs a value");
            }
            parsed.values.computeIfAbsent(arg.substring(2), key -> new ArrayList<>()).add(args[++i]);
        }
        return parsed;
    }

    String text(String key, String fallback) {
        List<String> given = values.get(key);
        return given == null ? fallback : given.get(given.size() - 1);
    }

    String required(String key) {
        String value = text(key, null);
        if (value == null) {
            throw usage("--" + key + " is required");
        }
        return value;
    }

    List<String> all(String key) {
        return values.getOrDefault(key, List.of());
    }

    int number(String key, int fallback, int min, int max) {
        String value = text(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("--" + key + " '" + value + "' must be a whole number from " + min + " to " + max);
    }

    /** {@code host:port} with a literal IPv4 address or a resolvable name. */
    InetSocketAddress endpoint(String key) {
        String value = required(key);
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw usage("--" + key + " '" + value + "' must be host:port");
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            return new InetSocketAddress(InetAddress.getByName(value.substring(0, colon)), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw usage("--" + key + " '" + value + "' must be host:port: " + e.getMessage());
        }
    }

    UsageException usage(String problem) {
        return new UsageException(program + ": " + problem);
    }

    /** Thrown for bad arguments; {@link #exitOnUsageError} turns it into status 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Runs {@code body}; a usage error prints one line and exits 2, anything else prints and exits 1. */
    static void exitOnUsageError(String program, ThrowingRunnable body) {
        try {
            body.run();
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println(program + ": " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    /** A main's body. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
