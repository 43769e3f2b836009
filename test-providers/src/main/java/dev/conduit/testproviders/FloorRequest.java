package dev.conduit.testproviders;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the token endpoint's floor ({@link FloorTokenExchangeProviderFactory}) takes and answers: only an exchange whose
 * {@code audience} is exactly {@value #AUDIENCE} (one value, nothing else) on a server that turned the floor on, and
 * always the same answer, a value generated once per server start.
 */
final class FloorRequest {

    static final String AUDIENCE = FloorTokenExchangeProviderFactory.PROVIDER_ID;
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final int EXPIRES_IN = 300;

    private FloorRequest() {
    }

    /** True only when the floor is on and the request names {@value #AUDIENCE} as its one audience. */
    static boolean isFloor(boolean enabled, List<String> audience) {
        return enabled && audience != null && audience.size() == 1 && AUDIENCE.equals(audience.get(0));
    }

    /** A random 256-bit value, base64url: the access token the floor hands out for this server's lifetime. */
    static String generateToken(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The RFC 8693 answer (section 2.2.1) carrying {@code token}. */
    static Map<String, Object> answer(String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("issued_token_type", ACCESS_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        body.put("expires_in", EXPIRES_IN);
        return body;
    }
}
