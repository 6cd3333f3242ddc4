package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry of kinds: one per table, each named once, and a write's exceptions as outcomes. */
class SettingsKindsTest {

    @Test
    void everyTableHasOneKindAndEveryKindOnePath() {
        assertThat(SettingsKinds.ALL).extracting(SettingsKind::table).containsExactlyInAnyOrder(SettingsTable.values());
        assertThat(SettingsKinds.ALL).extracting(SettingsKind::path).doesNotHaveDuplicates()
                .allMatch(path -> path.matches("[a-z]+(-[a-z]+)*"));
        assertThat(SettingsKinds.byPath("throttles")).hasValueSatisfying(kind -> assertThat(kind.input()).isEqualTo(ThrottleInput.class));
        assertThat(SettingsKinds.byPath("teleporters")).isEmpty();
        assertThat(SettingsKinds.ALL).allSatisfy(kind -> assertThat(Arrays.stream(kind.input().getRecordComponents())).isNotEmpty());
    }

    @Test
    void eachExceptionOfAWriteIsItsOutcome() {
        var written = new WriteResult(7, 2, 41);
        assertThat(WriteOutcome.of(() -> written)).isEqualTo(new WriteOutcome.Written(written));
        var errors = List.of(new FieldError("domain", "is not a domain name"));
        assertThat(WriteOutcome.of(() -> {
            throw new InvalidSettingsException(errors);
        })).isEqualTo(new WriteOutcome.Invalid(errors));
        assertThat(WriteOutcome.of(() -> {
            throw new SettingsNotFoundException(SettingsTable.THROTTLES, 7);
        })).isInstanceOf(WriteOutcome.NotFound.class);
        assertThat(WriteOutcome.of(() -> {
            throw new SettingsConflictException(SettingsTable.THROTTLES, 7, 1, 3);
        })).isInstanceOfSatisfying(WriteOutcome.Conflict.class, conflict -> assertThat(conflict.currentRevision()).isEqualTo(3));
        assertThat(WriteOutcome.of(() -> {
            throw new SettingsWriteFailedException("the database went away", new java.sql.SQLException("gone"));
        })).isEqualTo(new WriteOutcome.Unavailable("the database went away"));
    }
}
