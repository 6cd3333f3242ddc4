package dev.ferrymta.db.write;

/** The settings tables the console edits, for naming a row in an error. */
public enum SettingsTable {
    IP_POOLS("ip_pools", "IP pool"),
    THROTTLES("throttles", "throttle"),
    DOMAIN_ROUTES("domain_routes", "domain route"),
    PAUSES("pauses", "pause"),
    EHLO_NAMES("ehlo_names", "EHLO name"),
    DKIM_KEYS("dkim_keys", "DKIM key"),
    RESPONSE_RULES("response_rules", "response rule"),
    BACK_OFFS("back_offs", "back-off"),
    PROVIDERS("providers", "provider");

    private final String tableName;
    private final String description;

    SettingsTable(String tableName, String description) {
        this.tableName = tableName;
        this.description = description;
    }

    /** The table's name in the schema. */
    public String tableName() {
        return tableName;
    }

    /** What one row is, in words: {@code throttle}, {@code DKIM key}. */
    public String description() {
        return description;
    }
}
