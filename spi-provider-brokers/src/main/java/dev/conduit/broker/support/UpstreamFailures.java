package dev.conduit.broker.support;

import jakarta.ws.rs.core.Response;

/**
 * Keycloak's broker callback answers 500 when the provider's token endpoint cannot be reached at all (read timeout,
 * connection reset) while redeeming the code, where an unusable answer gets 502. Both are the provider failing, not
 * Keycloak: the person sees the same "unexpected error" page, now with 502 Bad Gateway in both cases.
 */
public final class UpstreamFailures {

    private UpstreamFailures() {
    }

    public static Response asBadGateway(Response answer) {
        if (answer != null && answer.getStatus() == Response.Status.INTERNAL_SERVER_ERROR.getStatusCode()) {
            return Response.fromResponse(answer).status(Response.Status.BAD_GATEWAY).build();
        }
        return answer;
    }
}
