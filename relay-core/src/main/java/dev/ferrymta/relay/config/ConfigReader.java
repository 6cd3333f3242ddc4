package dev.ferrymta.relay.config;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to the layered configuration values, with errors that name the key, the value,
 * its origin and what was expected. Constructing one rejects any key that no module declares,
 * and names the closest known key.
 */
public final class ConfigReader {

    private final Map<String, ConfigValue> values;
    private final Set<String> knownKeys;
    private final java.util.List<ConfigValue> ignored;

    /**
     * @param values    the layered values (see {@link ConfigSources#layered})
     * @param knownKeys every key some module reads
     * @throws ConfigException for the first unknown key
     */
    public ConfigReader(Map<String, ConfigValue> values, Set<String> knownKeys) {
        this(values, knownKeys, Set.of());
    }

    /**
     * @param values      the layered values (see {@link ConfigSources#layered})
     * @param knownKeys   every key some module reads
     * @param foreignKeys keys another program documents (MailerQ's) that Ferry does not use: let
     *                    through, each listed by {@link #ignored()} for a warning
     * @throws ConfigException for the first key in neither set
     */
    public ConfigReader(Map<String, ConfigValue> values, Set<String> knownKeys, Set<String> foreignKeys) {
        this.values = Map.copyOf(values);
        this.knownKeys = Set.copyOf(knownKeys);
        this.ignored = values.values().stream()
                .filter(v -> !knownKeys.contains(v.key()) && foreignKeys.contains(v.key()))
                .sorted(Comparator.comparing(ConfigValue::key))
                .toList();
        values.values().stream()
                .filter(v -> !knownKeys.contains(v.key()) && !foreignKeys.contains(v.key()))
                .findFirst()
                .ifPresent(v -> {
                    throw new ConfigException(v.key(), "%s: unknown key (%s)%s".formatted(
                            ConfigException.printable(v.key()), v.origin(), suggestion(v.key())));
                });
    }

    /** The foreign keys that were set, by name: each deserves one warning line, and is otherwise ignored. */
    public java.util.List<ConfigValue> ignored() {
        return ignored;
    }

    /** The value of a key, or empty when it is not set or set to nothing. */
    public Optional<ConfigValue> value(String key) {
        requireKnown(key);
        return Optional.ofNullable(values.get(key)).filter(v -> !v.value().isEmpty());
    }

    /** Whether the key was given at all, even with an empty value. */
    public boolean isPresent(String key) {
        requireKnown(key);
        return values.containsKey(key);
    }

    /** The parsed value, or {@code fallback} when the key is not set. */
    public <T> T get(String key, ValueType<T> type, T fallback) {
        return optional(key, type).orElse(fallback);
    }

    /** The parsed value, if the key is set. */
    public <T> Optional<T> optional(String key, ValueType<T> type) {
        return value(key).map(v -> parse(v, type));
    }

    /** The parsed value of a key that has no default. */
    public <T> T required(String key, ValueType<T> type) {
        return optional(key, type).orElseThrow(() -> new ConfigException(key,
                "%s: missing: expected %s; set it in the config file, as --%s=... or as %s"
                        .formatted(key, type.expected(), key, environmentName(key))));
    }

    /** An error about a value that parsed but does not fit with the rest of the configuration. */
    public ConfigException invalid(String key, String expected) {
        var value = values.get(key);
        if (value == null) {
            return new ConfigException(key, "%s: not set: expected %s".formatted(key, expected));
        }
        return ConfigException.badValue(value, expected);
    }

    /** The environment variable that sets a key: {@code www-port} is {@code FERRY_WWW_PORT}. */
    public static String environmentName(String key) {
        return ConfigSources.ENV_PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    private <T> T parse(ConfigValue value, ValueType<T> type) {
        try {
            return type.parse().apply(value.value());
        } catch (IllegalArgumentException e) {
            var detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw type.sensitive()
                    ? ConfigException.badSecret(value, type.expected() + detail)
                    : ConfigException.badValue(value, type.expected() + detail);
        }
    }

    private void requireKnown(String key) {
        if (!knownKeys.contains(key)) {
            throw new IllegalStateException("key '" + key + "' is read but not declared by any module");
        }
    }

    private String suggestion(String unknown) {
        var closest = new TreeSet<>(knownKeys).stream()
                .min(Comparator.comparingInt(known -> editDistance(unknown, known)));
        return closest.filter(known -> editDistance(unknown, known) <= Math.max(2, unknown.length() / 3))
                .map(known -> "; did you mean " + known + "?")
                .orElse("; see config.sample for the known keys");
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int editDistance(String a, String b) {
        var previous = new int[b.length() + 1];
        var current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            var swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
