package dev.ferrymta.relay.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's table "MailerQ message properties", {@link MailerQProperty} and the compatibility
 * corpus say the same: the same properties, each implemented or refused alike, each refused one
 * refused by a corpus case and each implemented one used by a case that is not refused.
 */
class MailerQPropertyTableTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path CORPUS = Path.of("src", "test", "resources", "mailerq-corpus");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z]+)` \\| (implemented|refused) \\|.*$");

    private static Map<String, String> readmeTable() throws IOException {
        var rows = new LinkedHashMap<String, String>();
        for (var line : Files.readAllLines(README)) {
            var row = ROW.matcher(line);
            if (row.matches()) {
                rows.put(row.group(1), row.group(2));
            }
        }
        return rows;
    }

    @Test
    void theReadmeTableIsTheCodesList() throws IOException {
        var code = new TreeMap<String, String>();
        for (var property : MailerQProperty.values()) {
            code.put(property.key(), property.implemented() ? "implemented" : "refused");
        }
        assertThat(new TreeMap<>(readmeTable())).isEqualTo(code);
    }

    @Test
    void theCorpusTriesEachRowAsTheTableSays() throws IOException {
        var json = new ObjectMapper();
        var refusedCases = new TreeSet<String>();
        var usedByAcceptedCases = new TreeSet<String>();
        try (var files = Files.list(CORPUS)) {
            for (var file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                var spec = json.readTree(file.toFile());
                var refused = spec.get("expect").path("refused").asText("");
                if (!refused.isEmpty()) {
                    refusedCases.add(refused.split("\\.")[0]);
                } else {
                    spec.get("properties").forEach(p -> usedByAcceptedCases.add(p.asText()));
                }
            }
        }
        readmeTable().forEach((property, status) -> {
            if (status.equals("refused")) {
                assertThat(refusedCases).as("a corpus case refusing " + property).contains(property);
            } else {
                assertThat(usedByAcceptedCases).as("a corpus case using " + property + " and not refused").contains(property);
            }
        });
    }
}
