package dev.conduit.it;

import dev.conduit.it.support.ConduitEnvironment;

/** {@link StoredTokenMigrationIT}'s tests on Keycloak's H2 (the demo's database), in the second shared server. */
class StoredTokenMigrationH2IT extends StoredTokenMigrationIT {

    @Override
    ConduitEnvironment environment() {
        return ConduitEnvironment.onH2();
    }

    @Override
    boolean canInjectAFault() {
        return false;
    }
}
