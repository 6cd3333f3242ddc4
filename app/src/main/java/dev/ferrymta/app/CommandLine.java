package dev.ferrymta.app;

import dev.ferrymta.relay.config.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line: {@code [--config FILE] [--key=value ...]}, or {@code --list-cluster},
 * {@code --version} or {@code --help}.
 *
 * @param configFile the config file, when one was named
 * @param settings   the {@code --key=value} arguments, in order
 * @param action     what to do
 */
record CommandLine(Optional<Path> configFile, List<String> settings, Action action) {

    enum Action { RUN, LIST_CLUSTER, VERSION, HELP }

    static final String USAGE = """
            usage: ferry [--config FILE | --config-file FILE] [--key=value ...]
                   ferry --list-cluster [--config FILE] [--key=value ...]
                   ferry --version
                   ferry --help

            Runs a Ferry instance. Settings come from --key=value arguments, then FERRY_KEY_NAME
            environment variables, then the config file, then the built-in defaults; config.sample
            documents every key; --config-file is MailerQ's name for --config, and a MailerQ config
            file works (its keys Ferry does not use are named in a warning and ignored).
            --list-cluster prints the live instances of the cluster (on cluster-address), waiting
            cluster-timeout for their answers, and exits.
            """;

    static CommandLine parse(List<String> arguments) {
        Optional<Path> configFile = Optional.empty();
        var settings = new ArrayList<String>();
        var action = Action.RUN;
        for (int i = 0; i < arguments.size(); i++) {
            var argument = arguments.get(i);
            switch (argument) {
                case "--version" -> action = Action.VERSION;
                case "--list-cluster" -> action = Action.LIST_CLUSTER;
                case "--help", "-h" -> action = Action.HELP;
                case "--config", "--config-file" -> {
                    if (i + 1 >= arguments.size()) {
                        throw new ConfigException("", argument + ": expected a file name after it");
                    }
                    configFile = Optional.of(Path.of(arguments.get(++i)));
                }
                default -> {
                    if (argument.startsWith("--config=") || argument.startsWith("--config-file=")) {
                        configFile = Optional.of(Path.of(argument.substring(argument.indexOf('=') + 1)));
                    } else if (argument.startsWith("--") && argument.contains("=")) {
                        settings.add(argument);
                    } else {
                        throw new ConfigException("", "'%s' is not an option: expected --config FILE, --key=value, --list-cluster, --version or --help"
                                .formatted(argument));
                    }
                }
            }
        }
        return new CommandLine(configFile, List.copyOf(settings), action);
    }
}
