package dev.conduit.it;

import dev.conduit.it.support.ConduitEnvironment;

/** {@link VaultStorageIT}'s tests on Keycloak's H2 (the demo's database), in the second shared server. */
class VaultStorageH2IT extends VaultStorageIT {

    @Override
    ConduitEnvironment environment() {
        return ConduitEnvironment.onH2();
    }
}
