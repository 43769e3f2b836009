package dev.conduit.api.support;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * One server setting of a provider factory ({@code --spi-<spi>--<provider>--<name>}), declared once: for the
 * factory's {@code getConfigMetadata()} and to read it from {@link Config.Scope} with the same default.
 */
public record FactorySetting(String name, String type, String helpText, String defaultValue) {

    public static FactorySetting integer(String name, long defaultValue, String helpText) {
        return new FactorySetting(name, ProviderConfigProperty.INTEGER_TYPE, helpText, Long.toString(defaultValue));
    }

    public static FactorySetting bool(String name, boolean defaultValue, String helpText) {
        return new FactorySetting(name, ProviderConfigProperty.BOOLEAN_TYPE, helpText, Boolean.toString(defaultValue));
    }

    /** A text setting; {@code defaultValue} may be null (no default). */
    public static FactorySetting text(String name, String defaultValue, String helpText) {
        return new FactorySetting(name, ProviderConfigProperty.STRING_TYPE, helpText, defaultValue);
    }

    public int readInt(Config.Scope config) {
        return config.getInt(name, Integer.parseInt(defaultValue));
    }

    public long readLong(Config.Scope config) {
        return config.getLong(name, Long.parseLong(defaultValue));
    }

    public boolean readBoolean(Config.Scope config) {
        return config.getBoolean(name, Boolean.parseBoolean(defaultValue));
    }

    public String readText(Config.Scope config) {
        return config.get(name, defaultValue);
    }

    public ProviderConfigProperty property() {
        return new ProviderConfigProperty(name, name, helpText, type, defaultValue);
    }

    public static List<ProviderConfigProperty> metadata(List<FactorySetting> settings) {
        return settings.stream().map(FactorySetting::property).toList();
    }
}
