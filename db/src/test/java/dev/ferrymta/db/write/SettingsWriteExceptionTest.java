package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsWriteExceptionTest {

    @Test
    void aConflictNamesTheCurrentRevision() {
        var conflict = new SettingsConflictException(SettingsTable.THROTTLES, 7, 2, 3);

        assertThat(conflict.currentRevision()).isEqualTo(3);
        assertThat(conflict).hasMessage("throttle 7 was changed by someone else: it is at revision 3, not 2; reload it and try again");
    }

    @Test
    void aMissingRowNamesTableAndId() {
        assertThat(new SettingsNotFoundException(SettingsTable.DKIM_KEYS, 12)).hasMessage("there is no DKIM key with id 12");
    }

    @Test
    void anInvalidInputHasAtLeastOneError() {
        assertThatThrownBy(() -> new InvalidSettingsException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
