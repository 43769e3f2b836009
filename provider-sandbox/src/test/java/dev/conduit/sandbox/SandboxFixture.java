package dev.conduit.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One engine on a fixed clock, a client per provider, and the OAuth steps the tests repeat. */
final class SandboxFixture {

    static final String CLIENT_ID = "client-id";
    static final String REDIRECT_URI = "http://localhost/cb";
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    final SandboxEngine engine;
    private final Map<Provider, SandboxClient> clients = new EnumMap<>(Provider.class);

    SandboxFixture() {
        this(new SandboxEngine(Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    SandboxFixture(SandboxEngine engine) {
        this.engine = engine;
        for (Provider provider : Provider.values()) {
            SandboxClient client = new SandboxClient(provider, CLIENT_ID, UUID.randomUUID().toString(),
                    List.of(REDIRECT_URI));
            engine.register(client);
            clients.put(provider, client);
        }
    }

    SandboxClient client(Provider provider) {
        return clients.get(provider);
    }

    static String authorizePath(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> "/services/oauth2/authorize";
            case HUBSPOT -> "/oauth/authorize";
            case GOOGLE -> "/o/oauth2/v2/auth";
        };
    }

    static String tokenPath(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> "/services/oauth2/token";
            case HUBSPOT -> "/oauth/v3/token";
            case GOOGLE -> "/token";
        };
    }

    /** An authorization request for the fixture's client. */
    static Map<String, String> authParams(String scope, String... extra) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("client_id", CLIENT_ID);
        params.put("redirect_uri", REDIRECT_URI);
        params.put("response_type", "code");
        params.put("state", UUID.randomUUID().toString());
        params.put("scope", scope);
        for (int i = 0; i < extra.length; i += 2) {
            params.put(extra[i], extra[i + 1]);
        }
        return params;
    }

    /** A request that yields a refresh token on a first consent, per provider. */
    static Map<String, String> offlineParams(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> authParams("api refresh_token");
            case HUBSPOT -> authParams("oauth crm.objects.contacts.read");
            case GOOGLE -> authParams("openid email", "access_type", "offline");
        };
    }

    static Account accountOf(Provider provider) {
        return switch (provider) {
            case SALESFORCE -> Accounts.SALESFORCE_ADA;
            case HUBSPOT -> Accounts.HUBSPOT_GRACE;
            case GOOGLE -> Accounts.GOOGLE_ALAN;
        };
    }

    Reply authorize(Provider provider, Map<String, String> params) {
        return engine.handle(provider, "GET", authorizePath(provider), params, Map.of(), Map.of());
    }

    Reply decide(Provider provider, Map<String, String> params, Account account, String decision) {
        Map<String, String> form = new LinkedHashMap<>(params);
        form.put("account", account.userId());
        form.put("decision", decision);
        return engine.handle(provider, "POST", authorizePath(provider), Map.of(), form, Map.of());
    }

    /** Allows the request as {@code account} and returns the code from the redirect (checking the state). */
    String code(Provider provider, Map<String, String> params, Account account) {
        Map<String, String> redirect = redirectParams(decide(provider, params, account, "allow"));
        assertThat(redirect).containsEntry("state", params.get("state")).containsKey("code");
        return redirect.get("code");
    }

    Reply redeem(Provider provider, String code, String... extra) {
        Map<String, String> form = clientForm(provider);
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", REDIRECT_URI);
        for (int i = 0; i < extra.length; i += 2) {
            form.put(extra[i], extra[i + 1]);
        }
        return token(provider, form, Map.of());
    }

    Reply refresh(Provider provider, String refreshToken) {
        Map<String, String> form = clientForm(provider);
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        return token(provider, form, Map.of());
    }

    Reply token(Provider provider, Map<String, String> form, Map<String, String> headers) {
        return engine.handle(provider, "POST", tokenPath(provider), Map.of(), form, headers);
    }

    Map<String, String> clientForm(Provider provider) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", CLIENT_ID);
        form.put("client_secret", client(provider).clientSecret());
        return form;
    }

    /** Consent as the provider's default account, redeem the code, expect 200 and return the token response. */
    JsonNode login(Provider provider, Map<String, String> params) {
        return login(provider, params, accountOf(provider));
    }

    JsonNode login(Provider provider, Map<String, String> params, Account account) {
        Reply reply = redeem(provider, code(provider, params, account));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return json(reply);
    }

    // ---- parsing ---------------------------------------------------------------------------------

    static JsonNode json(Reply reply) {
        return json(reply.body());
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static void assertOAuthError(Reply reply, int status, String error) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(json(reply).path("error").asText()).isEqualTo(error);
    }

    static Map<String, String> redirectParams(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(302);
        String location = reply.headers().get("Location");
        assertThat(location).startsWith(REDIRECT_URI + "?");
        return query(URI.create(location).getRawQuery());
    }

    static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    static JsonNode jwtPayload(String jwt) {
        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        return json(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    static String s256(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String newVerifier() {
        return (UUID.randomUUID() + "-" + UUID.randomUUID()).replace("-", "");
    }
}
