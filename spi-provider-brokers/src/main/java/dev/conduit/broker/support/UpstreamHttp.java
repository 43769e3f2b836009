package dev.conduit.broker.support;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.http.client.config.RequestConfig;
import org.keycloak.broker.provider.IdentityBrokerException;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.http.simple.SimpleHttpResponse;
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

    /**
     * GETs a provider's JSON identity document. Failures name the endpoint and the status, never the URL
     * (HubSpot puts the access token in it) nor the body.
     *
     * @param bearer access token sent as a Bearer header, or null when the URL itself carries it
     */
    public static JsonNode getJson(KeycloakSession session, String url, String bearer, String what) {
        SimpleHttpRequest request = create(session).doGet(url).acceptJson();
        if (bearer != null) {
            request.auth(bearer);
        }
        try (SimpleHttpResponse response = request.asResponse()) {
            if (response.getStatus() != 200) {
                throw new IdentityBrokerException(what + " answered HTTP " + response.getStatus());
            }
            return response.asJson();
        } catch (IOException e) {
            throw new IdentityBrokerException(what + " could not be read: " + e.getClass().getSimpleName());
        }
    }
}
