package dev.ferrymta.db.write;

import dev.ferrymta.relay.settings.Providers;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The settings writes the web console makes, on the shared database.
 *
 * <p>Every write validates its input first and refuses it with {@link InvalidSettingsException}
 * (every problem, field by field) before touching the database. It then changes one row in one
 * transaction that also bumps {@code config_version} and notifies {@link #NOTIFY_CHANNEL} with the
 * new version, delivered when the transaction commits. Updates and deletes carry the revision the
 * console showed: {@link SettingsNotFoundException} when the row is gone,
 * {@link SettingsConflictException} when someone changed it meanwhile. A refused write changes
 * nothing, the version included. Problems of the database itself are
 * {@link SettingsWriteFailedException}. All of these are {@link SettingsWriteException}s.
 *
 * <p>Thread-safe: concurrent writes, from this instance or any other, get distinct, strictly
 * increasing versions.
 */
public final class SettingsWriter {

    /** The channel each write notifies with its new {@code config_version}, as decimal text. */
    public static final String NOTIFY_CHANNEL = "ferry_settings";

    private final Clock clock;
    private final PoolWriter pools;
    private final RowWriter<Validated.Throttle> throttles;
    private final RowWriter<Validated.Route> routes;
    private final RowWriter<Validated.Pause> pauses;
    private final RowWriter<Validated.EhloName> ehloNames;
    private final RowWriter<Validated.DkimKey> dkimKeys;
    private final RowWriter<Validated.ResponseRule> responseRules;
    private final RowWriter<Validated.BackOff> backOffs;
    private final RowWriter<Validated.Provider> providers;
    private final DataSource dataSource;

    /**
     * @param dataSource the shared database, migrated
     * @param clock      decides whether a pause's end is in the future
     */
    public SettingsWriter(DataSource dataSource, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        var transaction = new WriteTransaction(Objects.requireNonNull(dataSource, "dataSource"));
        this.pools = new PoolWriter(transaction);
        this.throttles = SettingsTables.throttles(transaction);
        this.routes = SettingsTables.routes(transaction);
        this.pauses = SettingsTables.pauses(transaction);
        this.ehloNames = SettingsTables.ehloNames(transaction);
        this.dkimKeys = SettingsTables.dkimKeys(transaction);
        this.responseRules = SettingsTables.responseRules(transaction);
        this.backOffs = SettingsTables.backOffs(transaction);
        this.providers = SettingsTables.providers(transaction);
        this.dataSource = dataSource;
    }

    /** Creates an IP pool with its addresses in the given order. */
    public WriteResult createPool(PoolInput input) {
        return pools.create(SettingsValidation.pool(input));
    }

    /** Renames a pool and replaces its addresses with the given ones, in the given order. */
    public WriteResult updatePool(long id, int revision, PoolInput input) {
        return pools.update(id, revision, SettingsValidation.pool(input));
    }

    /** Deletes a pool and its addresses. */
    public WriteResult deletePool(long id, int revision) {
        return pools.delete(id, revision);
    }

    /**
     * Appends one address to a pool, whatever the pool's revision (it changes nothing another
     * person could have edited). Errors name the fields {@code pool} and {@code ip}.
     *
     * @return the pool's id and new revision
     */
    public WriteResult addPoolIp(String poolName, String ip) {
        return pools.addIp(SettingsValidation.poolIp(poolName, ip));
    }

    /**
     * Removes one address from a pool, whatever the pool's revision. Errors name the fields
     * {@code pool} and {@code ip}.
     *
     * @return the pool's id and new revision
     */
    public WriteResult removePoolIp(String poolName, String ip) {
        return pools.removeIp(SettingsValidation.poolIp(poolName, ip));
    }

    /** Creates a throttle; at most one throttle may exist per local IP and domain. */
    public WriteResult createThrottle(ThrottleInput input) {
        return throttles.create(known(SettingsValidation.throttle(input), Validated.Throttle::provider));
    }

    /** Replaces every field of a throttle. */
    public WriteResult updateThrottle(long id, int revision, ThrottleInput input) {
        return throttles.update(id, revision, known(SettingsValidation.throttle(input), Validated.Throttle::provider));
    }

    /** Deletes a throttle. */
    public WriteResult deleteThrottle(long id, int revision) {
        return throttles.delete(id, revision);
    }

    /** Creates a domain route; a domain has at most one. */
    public WriteResult createRoute(RouteInput input) {
        return routes.create(SettingsValidation.route(input));
    }

    /** Replaces every field of a domain route. */
    public WriteResult updateRoute(long id, int revision, RouteInput input) {
        return routes.update(id, revision, SettingsValidation.route(input));
    }

    /** Deletes a domain route. */
    public WriteResult deleteRoute(long id, int revision) {
        return routes.delete(id, revision);
    }

    /** Creates a pause; its end, when given, must be in the future. */
    public WriteResult createPause(PauseInput input) {
        return pauses.create(known(SettingsValidation.pause(input, clock.instant()), Validated.Pause::provider));
    }

    /** Replaces every field of a pause; its end, when given, must be in the future. */
    public WriteResult updatePause(long id, int revision, PauseInput input) {
        return pauses.update(id, revision, known(SettingsValidation.pause(input, clock.instant()), Validated.Pause::provider));
    }

    /** Deletes a pause, ending it now. */
    public WriteResult deletePause(long id, int revision) {
        return pauses.delete(id, revision);
    }

    /** Sets the EHLO name for a local IP that has none yet. */
    public WriteResult createEhloName(EhloNameInput input) {
        return ehloNames.create(SettingsValidation.ehloName(input));
    }

    /** Replaces the local IP and name of an EHLO name. */
    public WriteResult updateEhloName(long id, int revision, EhloNameInput input) {
        return ehloNames.update(id, revision, SettingsValidation.ehloName(input));
    }

    /** Deletes an EHLO name. */
    public WriteResult deleteEhloName(long id, int revision) {
        return ehloNames.delete(id, revision);
    }

    /** Stores a DKIM key; a domain has at most one key per selector. */
    public WriteResult createDkimKey(DkimKeyInput input) {
        return dkimKeys.create(SettingsValidation.dkimKey(input));
    }

    /** Replaces the domain, selector and key of a DKIM key. */
    public WriteResult updateDkimKey(long id, int revision, DkimKeyInput input) {
        return dkimKeys.update(id, revision, SettingsValidation.dkimKey(input));
    }

    /** Deletes a DKIM key. */
    public WriteResult deleteDkimKey(long id, int revision) {
        return dkimKeys.delete(id, revision);
    }

    /** Creates a response rule; names are unique, and the regular expression must compile. */
    public WriteResult createResponseRule(ResponseRuleInput input) {
        return responseRules.create(known(SettingsValidation.responseRule(input), Validated.ResponseRule::provider));
    }

    /** Replaces every field of a response rule. */
    public WriteResult updateResponseRule(long id, int revision, ResponseRuleInput input) {
        return responseRules.update(id, revision, known(SettingsValidation.responseRule(input), Validated.ResponseRule::provider));
    }

    /** Deletes a response rule. */
    public WriteResult deleteResponseRule(long id, int revision) {
        return responseRules.delete(id, revision);
    }

    /** Creates a back-off; its end must be in the future. */
    public WriteResult createBackOff(BackOffInput input) {
        return backOffs.create(known(SettingsValidation.backOff(input, clock.instant()), Validated.BackOff::provider));
    }

    /** Replaces every field of a back-off; its end must be in the future. */
    public WriteResult updateBackOff(long id, int revision, BackOffInput input) {
        return backOffs.update(id, revision, known(SettingsValidation.backOff(input, clock.instant()), Validated.BackOff::provider));
    }

    /** Deletes a back-off, lifting it now. */
    public WriteResult deleteBackOff(long id, int revision) {
        return backOffs.delete(id, revision);
    }

    /** Creates a provider group; one named like a shipped provider replaces it. */
    public WriteResult createProvider(ProviderInput input) {
        return providers.create(SettingsValidation.provider(input));
    }

    /** Replaces the name and MX host patterns of a provider group. */
    public WriteResult updateProvider(long id, int revision, ProviderInput input) {
        return providers.update(id, revision, SettingsValidation.provider(input));
    }

    /** Deletes a provider group (a shipped one of the same name is in force again). */
    public WriteResult deleteProvider(long id, int revision) {
        return providers.delete(id, revision);
    }

    /**
     * {@code value}, when the provider it names (if any) is one Ferry ships or the database holds;
     * else refused on the field {@code provider}, so a typo cannot save a throttle that holds nothing.
     */
    private <V> V known(V value, Function<V, String> provider) {
        var name = provider.apply(value);
        if (name == null || Providers.shipped().has(name)) {
            return value;
        }
        try (var connection = dataSource.getConnection();
                var statement = connection.prepareStatement("SELECT 1 FROM providers WHERE name = ?")) {
            statement.setString(1, name);
            try (var rows = statement.executeQuery()) {
                if (rows.next()) {
                    return value;
                }
            }
        } catch (SQLException e) {
            throw new SettingsWriteFailedException("the provider '" + name + "' could not be looked up: " + e.getMessage(), e);
        }
        throw new InvalidSettingsException(List.of(new FieldError("provider", FieldChecks.quote(name)
                + " is no provider group; the shipped ones are " + String.join(", ", Providers.shipped().all().stream()
                        .map(dev.ferrymta.relay.settings.Provider::name).toList()) + ", and the providers settings add more")));
    }
}
