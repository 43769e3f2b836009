package dev.conduit.exchange.support;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.services.cors.Cors;

/**
 * A refused exchange: the RFC 6749/8693 error to answer, the Keycloak event error to record, and extra fields
 * an app acts on ({@code conduit_error}, {@code connect_uri}). Descriptions never echo a token.
 */
public final class ExchangeRefusal extends RuntimeException {

    private final int status;
    private final String error;
    private final String eventError;
    private final Map<String, Object> extra;

    public ExchangeRefusal(int status, String error, String description, String eventError) {
        this(status, error, description, eventError, Map.of());
    }

    public ExchangeRefusal(int status, String error, String description, String eventError, Map<String, Object> extra) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.eventError = eventError;
        this.extra = extra;
    }

    public String error() {
        return error;
    }

    /** Records the event error and builds the CORS-enabled JSON answer. */
    public Response toResponse(Cors cors, EventBuilder event) {
        event.detail(Details.REASON, getMessage()).error(eventError);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", getMessage());
        body.putAll(extra);
        return cors.add(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body));
    }
}
