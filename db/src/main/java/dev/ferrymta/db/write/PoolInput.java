package dev.ferrymta.db.write;

import java.util.List;

/**
 * An IP pool as the console sends it.
 *
 * @param name 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit
 * @param ips  single IP addresses, in the order the pool should use them; null means none
 */
public record PoolInput(String name, List<String> ips) {
}
