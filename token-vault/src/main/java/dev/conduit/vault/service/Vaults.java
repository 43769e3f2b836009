package dev.conduit.vault.service;

import java.util.Optional;

import dev.conduit.broker.grant.UpstreamGrantHandover;
import dev.conduit.vault.store.VaultUpstreamGrantHandoverFactory;
import org.keycloak.models.KeycloakSession;

/** Finds the running token vault, for the token-exchange and admin endpoints. */
public final class Vaults {

    private Vaults() {
    }

    /** Empty when the vault is not installed or not configured as the handover. */
    public static Optional<ConnectionVault> of(KeycloakSession session) {
        var factory = session.getKeycloakSessionFactory()
                .getProviderFactory(UpstreamGrantHandover.class, VaultUpstreamGrantHandoverFactory.PROVIDER_ID);
        return factory instanceof VaultUpstreamGrantHandoverFactory vault ? Optional.ofNullable(vault.vault()) : Optional.empty();
    }
}
