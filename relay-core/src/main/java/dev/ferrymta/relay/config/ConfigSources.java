package dev.ferrymta.relay.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the places a setting can come from into {@link ConfigValue}s and layers them:
 * {@code --key=value} arguments over {@code FERRY_KEY_NAME} environment variables over the file.
 * Built-in defaults are applied later, by the module that reads the key.
 */
public final class ConfigSources {

    /** Prefix of the environment variables that set keys: {@code FERRY_RABBITMQ_ADDRESS}. */
    public static final String ENV_PREFIX = "FERRY_";

    private ConfigSources() {
    }

    /** The {@code FERRY_*} variables of an environment, as keys ({@code FERRY_WWW_PORT} is {@code www-port}). */
    public static List<ConfigValue> fromEnvironment(Map<String, String> environment) {
        var values = new ArrayList<ConfigValue>();
        environment.entrySet().stream()
                .filter(e -> e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length())
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> values.add(new ConfigValue(
                        e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'),
                        e.getValue().strip(),
                        "environment variable " + e.getKey())));
        return values;
    }

    /** Parses {@code --key=value} arguments; anything else is a {@link ConfigException}. */
    public static List<ConfigValue> fromArguments(List<String> arguments) {
        var values = new ArrayList<ConfigValue>();
        for (var argument : arguments) {
            int equals = argument.indexOf('=');
            if (!argument.startsWith("--") || equals < 0) {
                throw new ConfigException("", "'%s' is not a setting: expected --key=value"
                        .formatted(ConfigException.printable(argument)));
            }
            var key = argument.substring(2, equals);
            values.add(new ConfigValue(key, argument.substring(equals + 1).strip(), "argument --" + key));
        }
        return values;
    }

    /** Layers sources: a key in a later list overrides the same key in an earlier one. */
    @SafeVarargs
    public static Map<String, ConfigValue> layered(List<ConfigValue>... lowestFirst) {
        var merged = new LinkedHashMap<String, ConfigValue>();
        for (var source : lowestFirst) {
            for (var value : source) {
                merged.put(value.key(), value);
            }
        }
        return merged;
    }
}
