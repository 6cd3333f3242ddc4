package dev.ferrymta.relay.settings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The provider groups in force: the ones Ferry ships ({@code providers.tsv} beside this class:
 * name, MX host patterns separated by spaces, source; tab separated), with the shared settings'
 * rows of the same name replacing them and the others added. Immutable.
 */
public final class Providers {

    private static final Providers SHIPPED = new Providers(parse(shippedLines(), "providers.tsv"));

    private final List<Provider> providers;

    private Providers(List<Provider> providers) {
        this.providers = List.copyOf(providers);
    }

    /** The providers Ferry ships. */
    public static Providers shipped() {
        return SHIPPED;
    }

    /** The shipped providers, with {@code rows} replacing those of the same name and added after. */
    public static Providers with(List<Provider> rows) {
        if (rows.isEmpty()) {
            return SHIPPED;
        }
        var byName = new LinkedHashMap<String, Provider>();
        SHIPPED.providers.forEach(p -> byName.put(p.name(), p));
        rows.forEach(p -> byName.put(p.name(), p));
        return new Providers(new ArrayList<>(byName.values()));
    }

    /** Every provider, shipped ones first. */
    public List<Provider> all() {
        return providers;
    }

    /** Whether a provider of this name exists. */
    public boolean has(String name) {
        return providers.stream().anyMatch(p -> p.name().equals(name));
    }

    /**
     * The provider of a domain whose MX hosts are {@code mxHosts}, most preferred first: the
     * provider matching the first host; empty when it matches none (or there are no hosts).
     */
    public Optional<String> providerOf(List<String> mxHosts) {
        if (mxHosts.isEmpty()) {
            return Optional.empty();
        }
        var first = mxHosts.getFirst();
        for (var provider : providers) {
            if (provider.matches(first)) {
                return Optional.of(provider.name());
            }
        }
        return Optional.empty();
    }

    /**
     * Providers from their tab-separated text.
     *
     * @throws IllegalArgumentException naming the line and the field at fault
     */
    static List<Provider> parse(List<String> lines, String origin) {
        var providers = new ArrayList<Provider>();
        for (int i = 0; i < lines.size(); i++) {
            var line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            var fields = line.split("\t", -1);
            if (fields.length != 3) {
                throw new IllegalArgumentException(origin + " line " + (i + 1) + ": expected 3 tab-separated fields (name, MX host patterns, source), found "
                        + fields.length);
            }
            try {
                providers.add(new Provider(0, 0, fields[0].strip(), Arrays.asList(fields[1].strip().split("\\s+"))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return providers;
    }

    private static List<String> shippedLines() {
        var stream = Providers.class.getResourceAsStream("providers.tsv");
        Objects.requireNonNull(stream, "the shipped providers.tsv is missing from the jar");
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
