package dev.ferrymta.testing;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Names that cannot collide between tests, runs or machines sharing a broker or a database server. */
public final class TestNames {

    /** Every name a fixture makes starts with this, so leftovers of a crashed run are easy to spot. */
    public static final String PREFIX = "ferrytest";

    private TestNames() {
    }

    /** A short random id. */
    public static String randomId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The test class's simple name, lower case, letters and digits only, at most {@code max} long. */
    public static String classPart(ExtensionContext context, int max) {
        var name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return name.length() > max ? name.substring(0, max) : name;
    }
}
