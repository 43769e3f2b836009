package dev.conduit.testproviders;

import dev.conduit.exchange.support.ExchangeChecks;
import dev.conduit.exchange.support.ExchangeRefusal;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenExchangeProvider;

/** See {@link FloorTokenExchangeProviderFactory}. */
final class FloorTokenExchangeProvider implements TokenExchangeProvider {

    private final boolean enabled;
    private final String token;

    FloorTokenExchangeProvider(boolean enabled, String token) {
        this.enabled = enabled;
        this.token = token;
    }

    @Override
    public boolean supports(TokenExchangeContext context) {
        return FloorRequest.isFloor(enabled, context.getParams().getAudience());
    }

    @Override
    public Response exchange(TokenExchangeContext context) {
        EventBuilder event = context.getEvent();
        event.detail("conduit_exchange", "test_floor").detail(Details.AUDIENCE, FloorRequest.AUDIENCE);
        ExchangeChecks.Subject subject;
        try {
            // Conduit's own check: confidential client, verifyIdentityToken(..., true, true, null, false, ...), azp/aud
            subject = ExchangeChecks.subject(context);
        } catch (ExchangeRefusal refusal) {
            return refusal.toResponse(context.getCors(), event);
        }
        event.user(subject.user()).detail(Details.SUBJECT_TOKEN_CLIENT_ID, subject.token().getIssuedFor()).success();
        // Cache-Control: no-store and Pragma: no-cache are set by Keycloak's token endpoint on every answer
        return context.getCors().add(Response.ok(FloorRequest.answer(token), MediaType.APPLICATION_JSON_TYPE));
    }

    @Override
    public void close() {
    }
}
