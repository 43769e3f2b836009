package dev.conduit.broker.support;

import org.apache.http.client.config.RequestConfig;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.models.KeycloakSession;

/**
 * Outbound calls to the providers' identity endpoints, through Keycloak's HTTP client (its proxy and
 * truststore settings) with explicit timeouts so a slow provider cannot hold a login thread forever.
 */
public final class UpstreamHttp {

    public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    public static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final long MAX_RESPONSE_BYTES = 1_000_000;

    private UpstreamHttp() {
    }

    public static SimpleHttp create(KeycloakSession session) {
        return SimpleHttp.create(session)
                .withRequestConfig(RequestConfig.custom()
                        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
                        .setConnectionRequestTimeout(CONNECT_TIMEOUT_MILLIS)
                        .setSocketTimeout(READ_TIMEOUT_MILLIS)
                        .build())
                .withMaxConsumedResponseSize(MAX_RESPONSE_BYTES);
    }
}
