package dev.conduit.broker.organization;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

class OrganizationConnectResourceTest {

    /**
     * Quarkus scans a provider jar for JAX-RS resources only when it holds a bean-defining annotation such as
     * {@code @Path} (keycloak/keycloak#26835): without one, Confirm on the organization-connect page answers 405 and
     * the browser lands on Keycloak's error page (ConnectionsConsoleIT, OrganizationConnectionIT).
     */
    @Test
    void theConfirmationPostCarriesAPathSoTheBrokersJarIsScanned() {
        Method[] posts = Arrays.stream(OrganizationConnectResource.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(POST.class)).toArray(Method[]::new);

        assertThat(posts).hasSize(1);
        assertThat(posts[0].getAnnotation(Path.class)).as("method-level @Path").isNotNull();
        assertThat(posts[0].getAnnotation(Path.class).value()).isEmpty();
    }
}
