package dev.conduit.vault.service;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.conduit.api.support.FactorySetting;
import org.keycloak.Config;

/**
 * The envelope encryption's settings ({@code --spi-conduit-vault--<name>}): whether an organization's rows get a data
 * key of their own (so deleting the organization shreds them), and how long and how many unwrapped data keys a node
 * keeps in memory (also the longest a key-provider outage is bridged).
 */
public record DataKeySettings(boolean perOrganization, Duration cacheTimeToLive, int cacheSize) {

    static final FactorySetting PER_ORGANIZATION = FactorySetting.bool("data-key-per-organization", false,
            "Seal an organization's connections under a data key of its own, destroyed with the organization.");
    static final FactorySetting CACHE_TTL = FactorySetting.integer("data-key-cache-seconds", 3600,
            "Seconds an unwrapped data key stays in a node's memory (at least 1): the longest a key-provider outage is bridged.");
    static final FactorySetting CACHE_SIZE = FactorySetting.integer("data-key-cache-size", 1000,
            "Unwrapped data keys a node keeps in memory at the most (at least 1), least recently used out first.");

    public static final List<FactorySetting> SETTINGS = List.of(PER_ORGANIZATION, CACHE_TTL, CACHE_SIZE);

    public static DataKeySettings from(Config.Scope config) {
        return new DataKeySettings(PER_ORGANIZATION.readBoolean(config),
                Duration.ofSeconds(Math.max(1, CACHE_TTL.readLong(config))), Math.max(1, CACHE_SIZE.readInt(config)));
    }

    public Map<String, String> operationalInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(PER_ORGANIZATION.name(), Boolean.toString(perOrganization));
        info.put(CACHE_TTL.name(), Long.toString(cacheTimeToLive.toSeconds()));
        info.put(CACHE_SIZE.name(), Integer.toString(cacheSize));
        return info;
    }
}
