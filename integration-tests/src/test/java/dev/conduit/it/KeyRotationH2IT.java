package dev.conduit.it;

import dev.conduit.it.support.ConduitEnvironment;

/** {@link KeyRotationIT}'s test on Keycloak's H2 (the demo's database), in the second shared server. */
class KeyRotationH2IT extends KeyRotationIT {

    @Override
    ConduitEnvironment environment() {
        return ConduitEnvironment.onH2();
    }
}
