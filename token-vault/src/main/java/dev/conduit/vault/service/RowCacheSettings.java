package dev.conduit.vault.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import org.keycloak.Config;

/**
 * The sealed-row cache's settings ({@code --spi-conduit-vault--<name>}, issue 17): how many connection rows (and as
 * many data-key rows) a node keeps, as stored, and for how long at the most. 0 for either turns the cache off.
 */
public record RowCacheSettings(int size, int maxAgeSeconds) {

    static final FactorySetting SIZE = FactorySetting.integer("row-cache-size", 10_000,
            "Sealed connection rows (and data-key rows) a node keeps in memory, as stored, least recently used out first; 0 turns the cache off.");
    static final FactorySetting MAX_AGE = FactorySetting.integer("row-cache-max-age-seconds", 60,
            "Seconds a cached row lives at the most (never past its token's expiry): the longest a change written by SQL"
                    + " outside Keycloak goes unseen; 0 turns the cache off.");

    public static final List<FactorySetting> SETTINGS = List.of(SIZE, MAX_AGE);

    public static RowCacheSettings from(Config.Scope config) {
        return new RowCacheSettings(Math.max(0, SIZE.readInt(config)), (int) Math.max(0, MAX_AGE.readLong(config)));
    }

    public Map<String, String> operationalInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(SIZE.name(), Integer.toString(size));
        info.put(MAX_AGE.name(), Integer.toString(maxAgeSeconds));
        return info;
    }
}
