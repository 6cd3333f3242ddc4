package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.db.write.SettingsKind;
import dev.ferrymta.db.write.SettingsKinds;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The settings page's forms agree with the registry of kinds: the typed path from a form to an input record. */
class PagesTest {

    static Stream<SettingsKind<?>> kinds() {
        return SettingsKinds.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyKindHasAFormWhoseFieldsAreItsInputsComponentsWithTheirTypes(SettingsKind<?> kind) {
        var fields = Pages.FIELDS.get(kind.path());
        assertThat(fields).as("a form for " + kind.path()).isNotNull();
        assertThat(Pages.TITLES).containsKey(kind.path());
        assertThat(Pages.SINGULAR).containsKey(kind.path());
        var components = Arrays.stream(kind.input().getRecordComponents()).toList();
        assertThat(fields).extracting(Pages.Field::name).as("the form's fields: the input's components")
                .containsExactlyInAnyOrderElementsOf(components.stream().map(RecordComponent::getName).toList());
        for (var field : fields) {
            var component = components.stream().filter(c -> c.getName().equals(field.name())).findFirst().orElseThrow();
            var expected = switch (field.type()) {
                case "number" -> Integer.class;
                case "list" -> List.class;
                default -> String.class;
            };
            assertThat(component.getType()).as(kind.path() + "." + field.name()).isEqualTo(expected);
            if (expected == List.class) {
                assertThat(((ParameterizedType) component.getGenericType()).getActualTypeArguments()).containsExactly(String.class);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theFormsAreTheRegistrysKindsAndNoOthers() {
        assertThat(Pages.FIELDS.keySet()).containsExactlyInAnyOrderElementsOf(SettingsKinds.ALL.stream().map(SettingsKind::path).toList());
    }
}
