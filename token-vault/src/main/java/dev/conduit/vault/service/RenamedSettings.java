package dev.conduit.vault.service;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jboss.logging.Logger;
import org.keycloak.Config;

/**
 * The vault's server settings under their name {@code --spi-conduit-vault--<name>}, still read under the name before
 * it, {@code --spi-conduit-upstream-grant-handover--conduit-vault--<name>}, for one release: a setting given only
 * under the old name is used, with one WARN naming both options; given under both, the new name wins (WARN).
 * Warnings name options, never values (keys are secrets).
 */
public final class RenamedSettings extends Config.AbstractScope {

    private static final Logger LOG = Logger.getLogger(RenamedSettings.class);

    static final String CURRENT_OPTION = "spi-conduit-vault--";
    static final String DEPRECATED_OPTION = "spi-conduit-upstream-grant-handover--conduit-vault--";

    private final Config.Scope current;
    private final Config.Scope deprecated;
    private final Consumer<String> warn;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    RenamedSettings(Config.Scope current, Config.Scope deprecated, Consumer<String> warn) {
        this.current = current;
        this.deprecated = deprecated;
        this.warn = warn;
    }

    /** The settings Keycloak holds under {@code conduit-vault}, with the old name as a fallback. */
    public static Config.Scope of(Config.Scope current, Config.Scope deprecated) {
        return new RenamedSettings(current, deprecated, LOG::warn);
    }

    @Override
    public String get(String name) {
        String value = current.get(name);
        if (deprecated.get(name) == null) {
            return value;
        }
        if (value != null) {
            warnOnce(name, option(DEPRECATED_OPTION, name) + " is ignored: " + option(CURRENT_OPTION, name)
                    + " is set too and wins. Remove the deprecated option.");
            return value;
        }
        warnOnce(name, option(DEPRECATED_OPTION, name) + " is deprecated and will be removed in the next release: use "
                + option(CURRENT_OPTION, name) + " instead.");
        return deprecated.get(name);
    }

    private void warnOnce(String name, String message) {
        if (warned.add(name)) {
            warn.accept(message);
        }
    }

    /** {@code --spi-conduit-vault--keys (KC_SPI_CONDUIT_VAULT__KEYS)}: the option and its environment variable. */
    static String option(String prefix, String name) {
        String option = prefix + name;
        return "--" + option + " (KC_" + option.replace("--", "__").replace('-', '_').toUpperCase(Locale.ROOT) + ")";
    }

    @Override
    public Config.Scope scope(String... scope) {
        return current.scope(scope);
    }

    @Override
    public Set<String> getPropertyNames() {
        return current.getPropertyNames();
    }

    @Override
    public Config.Scope root() {
        return current.root();
    }
}
