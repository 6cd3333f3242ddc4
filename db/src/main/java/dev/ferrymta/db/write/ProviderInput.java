package dev.ferrymta.db.write;

import java.util.List;

/**
 * A provider group as the console or the API sends it. One named like a provider Ferry ships
 * ({@code google}, {@code microsoft}, {@code yahoo} ...) replaces it.
 *
 * @param name       1 to 63 lower-case letters, digits and '-', unique
 * @param mxPatterns MX host patterns: {@code *.example.net} (any host under example.net) or one host name; one at least
 */
public record ProviderInput(String name, List<String> mxPatterns) {
}
