package dev.conduit.api.server;

import java.util.Map;

/**
 * A form POST to a provider's token endpoint that mints a token: {@code form} holds the grant (an assertion, or a
 * client secret), so {@link #toString()} names its fields only.
 *
 * @param lifetimeWithoutExpiresIn seconds the minted token lives when the answer has no {@code expires_in}
 *        (Salesforce: the org's session timeout), so it is minted again before then
 */
public record MintRequest(String tokenUrl, Map<String, String> form, long lifetimeWithoutExpiresIn) {

    public MintRequest {
        form = Map.copyOf(form);
    }

    @Override
    public String toString() {
        return "MintRequest[" + tokenUrl + ", fields=" + form.keySet() + "]";
    }
}
