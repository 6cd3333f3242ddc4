package dev.ferrymta.db.write;

import java.util.List;
import java.util.Optional;

/**
 * Every kind of shared settings row, in the order the settings page shows them. A new kind is a
 * table (a migration), an input record, its check in {@link SettingsValidation}, its SQL in
 * {@link SettingsTables}, its writes in {@link SettingsWriter}, its rows in {@link SettingsRows},
 * and one line here; the API and the settings page take it from this list.
 */
public final class SettingsKinds {

    /** Every kind. */
    public static final List<SettingsKind<?>> ALL = List.of(
            new SettingsKind<>("pools", "IP pools", "an IP pool", SettingsTable.IP_POOLS, PoolInput.class,
                    SettingsWriter::createPool, SettingsWriter::updatePool, SettingsWriter::deletePool, SettingsRows::pools),
            new SettingsKind<>("throttles", "Throttles", "a throttle", SettingsTable.THROTTLES, ThrottleInput.class,
                    SettingsWriter::createThrottle, SettingsWriter::updateThrottle, SettingsWriter::deleteThrottle, SettingsRows::throttles),
            new SettingsKind<>("routes", "Domain routes", "a domain route", SettingsTable.DOMAIN_ROUTES, RouteInput.class,
                    SettingsWriter::createRoute, SettingsWriter::updateRoute, SettingsWriter::deleteRoute, SettingsRows::routes),
            new SettingsKind<>("pauses", "Pauses", "a pause", SettingsTable.PAUSES, PauseInput.class,
                    SettingsWriter::createPause, SettingsWriter::updatePause, SettingsWriter::deletePause, SettingsRows::pauses),
            new SettingsKind<>("ehlo-names", "EHLO names", "an EHLO name", SettingsTable.EHLO_NAMES, EhloNameInput.class,
                    SettingsWriter::createEhloName, SettingsWriter::updateEhloName, SettingsWriter::deleteEhloName, SettingsRows::ehloNames),
            new SettingsKind<>("dkim-keys", "DKIM keys", "a DKIM key", SettingsTable.DKIM_KEYS, DkimKeyInput.class,
                    SettingsWriter::createDkimKey, SettingsWriter::updateDkimKey, SettingsWriter::deleteDkimKey, SettingsRows::dkimKeys),
            new SettingsKind<>("response-rules", "Response rules", "a response rule", SettingsTable.RESPONSE_RULES,
                    ResponseRuleInput.class, SettingsWriter::createResponseRule, SettingsWriter::updateResponseRule,
                    SettingsWriter::deleteResponseRule, SettingsRows::responseRules),
            new SettingsKind<>("back-offs", "Back-offs", "a back-off", SettingsTable.BACK_OFFS, BackOffInput.class,
                    SettingsWriter::createBackOff, SettingsWriter::updateBackOff, SettingsWriter::deleteBackOff, SettingsRows::backOffs),
            new SettingsKind<>("providers", "Provider groups", "a provider group", SettingsTable.PROVIDERS, ProviderInput.class,
                    SettingsWriter::createProvider, SettingsWriter::updateProvider, SettingsWriter::deleteProvider, SettingsRows::providers));

    private SettingsKinds() {
    }

    /** The kind named {@code path} in URLs. */
    public static Optional<SettingsKind<?>> byPath(String path) {
        return ALL.stream().filter(kind -> kind.path().equals(path)).findFirst();
    }
}
