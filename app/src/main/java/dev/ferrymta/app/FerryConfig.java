package dev.ferrymta.app;

import dev.ferrymta.cluster.ClusterConfig;
import dev.ferrymta.console.ConsoleConfig;
import dev.ferrymta.db.DatabaseConfig;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import dev.ferrymta.relay.config.ConfigValue;
import dev.ferrymta.relay.config.HostInfo;
import dev.ferrymta.relay.config.RelayConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The configuration of every module, loaded and validated together at start. */
record FerryConfig(RelayConfig relay, ClusterConfig cluster, DatabaseConfig database, ConsoleConfig console,
        List<String> warnings) {

    /** Every key any module reads: anything else in the configuration is an error. */
    static final Set<String> KEYS = union(RelayConfig.KEYS, ClusterConfig.KEYS, DatabaseConfig.KEYS, ConsoleConfig.KEYS);

    public FerryConfig {
        warnings = List.copyOf(warnings);
    }

    /**
     * Layers {@code --key=value} arguments over {@code FERRY_*} environment variables over the file,
     * then lets each module read and validate its keys.
     *
     * @throws dev.ferrymta.relay.config.ConfigException for the first problem found
     */
    static FerryConfig load(CommandLine commandLine, Map<String, String> environment, HostInfo host) {
        return load(commandLine.configFile().map(ConfigFile::read).orElse(List.of()), environment, commandLine.settings(), host);
    }

    /** As {@link #load(CommandLine, Map, HostInfo)}, from the file's values as read. */
    static FerryConfig load(List<ConfigValue> file, Map<String, String> environment, List<String> arguments, HostInfo host) {
        var values = ConfigSources.layered(file, ConfigSources.fromEnvironment(environment),
                ConfigSources.fromArguments(arguments));
        var unused = new HashSet<>(MailerQConfigKeys.UNUSED);
        unused.removeAll(KEYS);
        var reader = new ConfigReader(values, KEYS, unused);
        var warnings = reader.ignored().stream()
                .map(v -> "%s (%s) is a MailerQ setting that Ferry does not use; ignored".formatted(v.key(), v.origin()))
                .toList();
        return new FerryConfig(
                RelayConfig.from(reader, host),
                ClusterConfig.from(reader),
                DatabaseConfig.from(reader),
                ConsoleConfig.from(reader, host.hostName()),
                warnings);
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        var all = new HashSet<String>();
        for (var set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }
}
